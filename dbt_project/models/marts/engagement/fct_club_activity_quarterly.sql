-- One row per club and quarter, from the founding quarter to the current one (METRICS.md "Clubs").
-- Built in int_club_activity_quarterly, which the strategy KPIs read too.
-- A view: the rows are built once, in the intermediate model; the mart names the published columns.
{{ config(materialized='view') }}

with

club_quarters as (
    select * from {{ ref('int_club_activity_quarterly') }}
),

final as (
    select
        club_id,
        quarter,
        year,
        quarter_of_year,
        quarter_end,
        is_partial,
        members,
        meetings,
        meeting_attendees,
        prospective_students_informed,
        company_contacts,
        exchange_students_supported,
        partners_won,
        ambassador_outputs,
        meetings_last_four_quarters,
        health_status
    from club_quarters
)

select * from final
