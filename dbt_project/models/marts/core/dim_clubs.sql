-- One row per alumni club, as in its latest clubs snapshot (built in int_clubs).
-- A view: the rows are built once, in the intermediate model; the mart names the published columns.
{{ config(materialized='view') }}

with

clubs as (
    select * from {{ ref('int_clubs') }}
),

final as (
    select
        club_id,
        club_name,
        city,
        country_code,
        founded_on,
        status,
        has_ambassador,
        latitude,
        longitude
    from clubs
)

select * from final
