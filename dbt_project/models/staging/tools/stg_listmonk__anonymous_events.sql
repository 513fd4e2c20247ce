-- Anonymous listmonk rows (subscriber_id 0, no address) per campaign, url and time. They cannot be told apart,
-- so the count of each is the largest number of such rows in any one file (TOOLS.md §8: overlapping downloads
-- repeat them, and summing over files would count them twice). A file is told by its content: the tool's default
-- name (`campaign_views.csv`) downloaded again over the last is a second file, not more rows of the first.
with

views as (
    select * from {{ source('raw', 'listmonk_campaign_views') }}
    where email_hash is null
),

clicks as (
    select * from {{ source('raw', 'listmonk_campaign_clicks') }}
    where email_hash is null
),

per_file as (
    select
        campaign_id as listmonk_campaign_id,
        campaign_uuid as listmonk_campaign_uuid,
        'open' as action,
        '' as link,
        created_at as occurred_at,
        _file_sha256,
        count(*) as rows_in_file,
        max(_loaded_at) as loaded_at
    from views
    group by campaign_id, campaign_uuid, created_at, _file_sha256
    union all
    select
        campaign_id as listmonk_campaign_id,
        campaign_uuid as listmonk_campaign_uuid,
        'click' as action,
        coalesce(url, '') as link,
        created_at as occurred_at,
        _file_sha256,
        count(*) as rows_in_file,
        max(_loaded_at) as loaded_at
    from clicks
    group by campaign_id, campaign_uuid, coalesce(url, ''), created_at, _file_sha256
),

final as (
    select
        listmonk_campaign_id,
        max(listmonk_campaign_uuid) as listmonk_campaign_uuid,
        action,
        link,
        occurred_at,
        max(rows_in_file) as anonymous_rows,
        max(loaded_at) as loaded_at
    from per_file
    group by listmonk_campaign_id, action, link, occurred_at
)

select * from final
