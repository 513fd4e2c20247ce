-- One row per year and topic: campaign rates summarised by the median (METRICS.md: list sizes differ), and
-- the smallest human counts behind them, so that a reader can suppress a median resting on few people.
with

campaigns as (
    select * from {{ ref('fct_newsletter_campaigns') }}
),

final as (
    select
        campaigns.year,
        campaigns.topic,
        count(*) as campaigns,
        {{ median('campaigns.open_rate') }} as median_open_rate,
        {{ median('campaigns.click_rate') }} as median_click_rate,
        {{ median('campaigns.machine_open_share') }} as median_machine_open_share,
        min(campaigns.unique_human_opens) as smallest_human_opens,
        min(campaigns.unique_human_clicks) as smallest_human_clicks
    from campaigns
    where campaigns.delivered > 0
    group by campaigns.year, campaigns.topic
)

select * from final
