-- Which catalogue campaign each listmonk campaign stands for (TOOLS.md §2): the campaign whose `Externe ID`
-- equals listmonk's `campaign_id`, else whose own id does; failing both, the same for `campaign_uuid`.
-- Grain: one row per (campaign_id, campaign_uuid) pair seen in listmonk's exports.
with

campaigns as (
    select * from {{ ref('stg_newsletter__campaigns') }}
),

identified_events as (
    select * from {{ ref('stg_listmonk__campaign_events') }}
),

anonymous_events as (
    select * from {{ ref('stg_listmonk__anonymous_events') }}
),

pairs as (
    select distinct
        listmonk_campaign_id,
        listmonk_campaign_uuid
    from identified_events
    union
    select distinct
        listmonk_campaign_id,
        listmonk_campaign_uuid
    from anonymous_events
),

-- an identifier, and the catalogue campaign it names: by `Externe ID` first, else by the campaign's own id
keys as (
    select
        external_id as link_key,
        campaign_id,
        1 as link_rank
    from campaigns
    where external_id is not null
    union all
    select
        campaign_id as link_key,
        campaign_id,
        2 as link_rank
    from campaigns
),

ranked_keys as (
    {{ deduplicate('keys', 'link_key', 'link_rank') }}
),

final as (
    select
        pairs.listmonk_campaign_id,
        pairs.listmonk_campaign_uuid,
        coalesce(by_id.campaign_id, by_uuid.campaign_id) as campaign_id
    from pairs
    left join ranked_keys as by_id on pairs.listmonk_campaign_id = by_id.link_key
    left join ranked_keys as by_uuid on pairs.listmonk_campaign_uuid = by_uuid.link_key
)

select * from final
