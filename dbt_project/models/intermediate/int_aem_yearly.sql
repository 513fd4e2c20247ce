-- CASE Alumni Engagement Metrics per year and mode, plus mode `any` (METRICS.md "CASE AEM").
-- A mode whose source was never loaded says so (engaged_alumni empty), never a false zero.
-- Published as fct_aem_yearly; read by the goal-1 strategy KPIs.
with

acts as (
    select * from {{ ref('int_engagement_activities') }}
),

act_mapping as (
    select * from {{ ref('engagement_act_mapping') }}
),

year_ends as (
    select
        year,
        as_of,
        is_partial
    from {{ ref('int_key_dates') }}
    where date_kind = 'year_end'
),

members_on_key_dates as (
    select * from {{ ref('int_members_on_key_dates') }}
),

source_presence as (
    select
        (select count(*) from {{ ref('stg_donations__donations') }}) > 0 as has_donations,
        (select count(*) from {{ ref('int_registrations') }}) > 0 as has_events,
        (select count(*) from {{ ref('stg_clubs__activity_reports') }}) > 0 as has_club_reports,
        (select count(*) from {{ ref('stg_portal__member_snapshots') }}) > 0 as has_members
),

-- every CASE mode of the act mapping, with or without acts, plus `any`
modes as (
    select distinct act_mapping.engagement_mode from act_mapping
    union all
    select 'any' as engagement_mode
),

engaged_by_mode as (
    select
        year,
        engagement_mode,
        count(distinct alumni_key) as engaged_alumni
    from acts
    group by year, engagement_mode
    union all
    select
        year,
        'any' as engagement_mode,
        count(distinct alumni_key) as engaged_alumni
    from acts
    group by year
),

contactable as (
    select
        year_ends.year,
        count(members_on_key_dates.alumni_key) as contactable_alumni
    from year_ends
    left join members_on_key_dates
        on year_ends.as_of = members_on_key_dates.as_of and members_on_key_dates.is_contactable
    group by year_ends.year
),

final as (
    select
        year_ends.year,
        modes.engagement_mode,
        case
            when modes.engagement_mode = 'philanthropic' and not source_presence.has_donations then null
            when modes.engagement_mode = 'experiential' and not source_presence.has_events then null
            when modes.engagement_mode = 'volunteer'
                and not (source_presence.has_events or source_presence.has_club_reports) then null
            else coalesce(engaged_by_mode.engaged_alumni, 0)
        end as engaged_alumni,
        contactable.contactable_alumni,
        year_ends.as_of as contactable_on,
        year_ends.is_partial
    from year_ends
    cross join modes
    cross join source_presence
    left join engaged_by_mode
        on year_ends.year = engaged_by_mode.year and modes.engagement_mode = engaged_by_mode.engagement_mode
    left join contactable on year_ends.year = contactable.year
)

select
    year,
    engagement_mode,
    engaged_alumni,
    contactable_alumni,
    engaged_alumni * 1.0 / nullif(contactable_alumni, 0) as engaged_share,
    contactable_on,
    is_partial
from final
