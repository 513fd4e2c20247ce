-- Which catalogue campaign a newsletter tool's campaign identifier stands for (TOOLS.md §2): the campaign whose
-- `Externe ID` equals it, else the one whose own id does.
with

campaigns as (
    select * from {{ ref('stg_newsletter__campaigns') }}
),

candidates as (
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

ranked as (
    {{ deduplicate('candidates', 'link_key', 'link_rank') }}
),

final as (
    select
        link_key,
        campaign_id
    from ranked
)

select * from final
