-- Human newsletter clicks matched to members, with the member's tracking consent on the day of the click
-- (METRICS.md: person-level use of clicks only with tracking consent on that day).
with

events as (
    select * from {{ ref('int_newsletter_events') }}
    where action = 'click' and not is_machine
),

matched as (
    {{ match_member('events', 'activity_id', 'occurred_on') }}
),

attributes as (
    select * from {{ ref('int_member_snapshot_intervals') }}
),

final as (
    select
        matched.activity_id,
        matched.campaign_id,
        matched.occurred_on,
        matched.topic,
        matched.matched_key as alumni_key,
        coalesce(attributes.has_tracking_consent, false) as has_tracking_consent
    from matched
    left join attributes
        on
            matched.matched_key = attributes.alumni_key
            and matched.occurred_on >= attributes.valid_from
            and matched.occurred_on < attributes.valid_to
)

select * from final
