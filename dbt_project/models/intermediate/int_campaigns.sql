-- One row per newsletter campaign. sent_at in Europe/Berlin local time.
-- Published as dim_campaigns; here so that int_newsletter_campaigns need not read a mart.
with

campaigns as (
    select * from {{ ref('stg_newsletter__campaigns') }}
),

final as (
    select
        campaign_id,
        topic,
        {{ to_berlin('sent_at') }} as sent_at,
        cast({{ reporting_year(to_berlin('sent_at')) }} as integer) as year,
        language,
        -- the count the campaign's tool reports as sent (catalogue `Empfänger`; TOOLS.md §5)
        recipients_reported
    from campaigns
)

select * from final
