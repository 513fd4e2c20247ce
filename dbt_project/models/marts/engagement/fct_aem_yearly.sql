-- CASE Alumni Engagement Metrics per year and mode, plus mode `any` (METRICS.md "CASE AEM").
-- Built in int_aem_yearly, which the strategy KPIs read too.
-- A view: the rows are built once, in the intermediate model; the mart names the published columns.
{{ config(materialized='view') }}

with

aem as (
    select * from {{ ref('int_aem_yearly') }}
),

final as (
    select
        year,
        engagement_mode,
        engaged_alumni,
        contactable_alumni,
        engaged_share,
        contactable_on,
        is_partial
    from aem
)

select * from final
