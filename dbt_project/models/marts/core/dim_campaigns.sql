-- One row per newsletter campaign. sent_at in Europe/Berlin local time.
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
        language
    from campaigns
)

select * from final
