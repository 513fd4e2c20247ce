-- Anonymous listmonk opens and clicks per catalogue campaign (rows, not people: TOOLS.md §5). They enter no
-- unique count and no person's figures.
with

anonymous_events as (
    select * from {{ ref('stg_listmonk__anonymous_events') }}
),

links as (
    select * from {{ ref('int_newsletter_campaign_links') }}
),

linked as (
    select
        links.campaign_id,
        anonymous_events.action,
        anonymous_events.anonymous_rows
    from anonymous_events
    left join links
        on
            anonymous_events.listmonk_campaign_id = links.listmonk_campaign_id
            and anonymous_events.listmonk_campaign_uuid is not distinct from links.listmonk_campaign_uuid
),

final as (
    select
        campaign_id,
        cast(sum(case when action = 'open' then anonymous_rows else 0 end) as {{ dbt.type_bigint() }})
            as anonymous_opens,
        cast(sum(case when action = 'click' then anonymous_rows else 0 end) as {{ dbt.type_bigint() }})
            as anonymous_clicks
    from linked
    where campaign_id is not null
    group by campaign_id
)

select * from final
