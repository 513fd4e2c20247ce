-- One row per campaign and address: what the address did in that campaign (METRICS.md "Newsletter": a click
-- implies an open; machine events are not human). Campaign figures and yearly deliveries count these rows.
--
-- Incremental by campaign, like int_newsletter_events: a run rebuilds whole the campaigns that
-- int_newsletter_events wrote since this model's last build (`built_at`; their load times do not say it: a
-- campaign can be rebuilt there for rows loaded long ago). A campaign with no event left loses its rows in a
-- post-hook, as erased addresses lose theirs. Rows built before `built_at` existed have it empty.
{{ config(
    materialized='incremental',
    unique_key='campaign_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook=[
        "delete from {{ this }} where email_hash in (select hash from {{ source('meta', 'erased_identities') }})",
        "delete from {{ this }} where campaign_id not in (
            select distinct campaign_id from {{ ref('int_newsletter_events') }} where campaign_id is not null
        )"
    ]
) }}

with

events as (
    select * from {{ ref('int_newsletter_events') }}
    {% if is_incremental() %}
        where campaign_id in (
            {{ literal_list(campaigns_loaded_since_last_build(ref('int_newsletter_events'), 'built_at', 'built_at')) }}
        )
    {% endif %}
),

final as (
    select
        campaign_id,
        email_hash,
        max(case when action = 'sent' then 1 else 0 end) as was_sent,
        max(case when action = 'hard_bounce' then 1 else 0 end) as hard_bounced,
        max(case when action = 'soft_bounce' then 1 else 0 end) as soft_bounced,
        max(case when action in ('open', 'click') then 1 else 0 end) as opened,
        max(case when action in ('open', 'click') and not is_machine then 1 else 0 end) as opened_human,
        max(case when action = 'click' and not is_machine then 1 else 0 end) as clicked_human,
        max(case when action = 'open' and is_machine then 1 else 0 end) as opened_machine,
        max(case when action = 'unsubscribe' then 1 else 0 end) as unsubscribed,
        max(case when action = 'complaint' then 1 else 0 end) as complained,
        max(case when action = 'sent' then occurred_on end) as last_sent_on,
        max(loaded_at) as loaded_at,
        max(built_at) as built_at,
        -- which exports the address's events came from (rows built before the column existed: canonical)
        max(case when origin = 'listmonk' then 1 else 0 end) as from_listmonk,
        max(case when origin = 'mautic' then 1 else 0 end) as from_mautic,
        max(case when coalesce(origin, 'canonical') = 'canonical' then 1 else 0 end) as from_canonical
    from events
    where email_hash is not null
    group by campaign_id, email_hash
)

select * from final
