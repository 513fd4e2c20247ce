-- One row per year and topic: campaign rates summarised by the median (METRICS.md: list sizes differ), and
-- the smallest human counts behind them, so that a reader can suppress a median resting on few people. The
-- smallest above zero: a campaign nobody opened (one without tracking) reveals no one, and its 0 as the smallest
-- would let a median show that rests on another campaign's 1 to 4 people.
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
        coalesce(min(campaigns.unique_human_opens) filter (where campaigns.unique_human_opens > 0), 0)
            as smallest_human_opens,
        coalesce(min(campaigns.unique_human_clicks) filter (where campaigns.unique_human_clicks > 0), 0)
            as smallest_human_clicks
    from campaigns
    where campaigns.delivered > 0
    group by campaigns.year, campaigns.topic
)

select * from final
