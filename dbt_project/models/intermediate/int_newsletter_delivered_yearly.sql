-- Addresses delivered at least one campaign in a reporting year, matched to members on the year's last
-- delivery (for g3_newsletter_reach). Delivered: a `sent` without a bounce of that address in that campaign.
with

recipients as (
    select * from {{ ref('int_newsletter_recipients') }}
),

delivered as (
    select
        email_hash,
        cast({{ reporting_year('last_sent_on') }} as integer) as year,
        max(last_sent_on) as last_delivered_on
    from recipients
    where was_sent = 1 and hard_bounced = 0 and soft_bounced = 0
    group by email_hash, 2
),

keyed as (
    select
        delivered.*,
        {{ dbt.concat(["delivered.email_hash", "'|'", dbt.safe_cast("delivered.year", dbt.type_string())]) }}
            as delivery_id
    from delivered
),

matched as (
    {{ match_member('keyed', 'delivery_id', 'last_delivered_on') }}
),

final as (
    select
        year,
        email_hash,
        last_delivered_on,
        matched_key as alumni_key
    from matched
)

select * from final
