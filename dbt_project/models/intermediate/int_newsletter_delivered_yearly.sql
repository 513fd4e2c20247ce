-- Addresses delivered at least one campaign in a reporting year, matched to members on the year's last
-- delivery (for g3_newsletter_reach). Delivered: a `sent` without a bounce of that address in that campaign.
with

events as (
    select * from {{ ref('int_newsletter_events') }}
),

bounced as (
    select distinct
        events.campaign_id,
        events.email_hash
    from events
    where events.action in ('hard_bounce', 'soft_bounce')
),

delivered as (
    select
        events.email_hash,
        cast({{ reporting_year('events.occurred_on') }} as integer) as year,
        max(events.occurred_on) as last_delivered_on
    from events
    left join bounced
        on events.campaign_id = bounced.campaign_id and events.email_hash = bounced.email_hash
    where events.action = 'sent' and bounced.email_hash is null
    group by events.email_hash, 2
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
