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

-- What the address did, as flags: each a condition on its events, true if any event meets it. They are
-- aggregated as the bits of one integer (`bit_or`) rather than as one `max` each: a grouping of 11.3 million events
-- into 7.4 million pairs at scale 10 took 2.7-3.1 s instead of 3.9-4.9 s with twelve aggregates.
{%- set flag_conditions = [
    ('was_sent', "action = 'sent'"),
    ('hard_bounced', "action = 'hard_bounce'"),
    ('soft_bounced', "action = 'soft_bounce'"),
    ('opened', "action in ('open', 'click')"),
    ('opened_human', "action in ('open', 'click') and not is_machine"),
    ('clicked_human', "action = 'click' and not is_machine"),
    ('opened_machine', "action = 'open' and is_machine"),
    ('unsubscribed', "action = 'unsubscribe'"),
    ('complained', "action = 'complaint'"),
    ('from_listmonk', "origin = 'listmonk'"),
    ('from_mautic', "origin = 'mautic'"),
    ('from_canonical', "coalesce(origin, 'canonical') = 'canonical'"),
] %}
{#- from_*: which exports the address's events came from (rows built before the column existed: canonical) #}
{%- set bit = {} %}
{%- for name, condition in flag_conditions %}{% do bit.update({name: loop.index0}) %}{% endfor %}

grouped as (
    select
        campaign_id,
        email_hash,
        bit_or(
            {%- for name, condition in flag_conditions %}
                case when {{ condition }} then {{ 2 ** loop.index0 }} else 0 end{{ ' |' if not loop.last }}
            {%- endfor %}
        ) as flags,
        max(case when action = 'sent' then occurred_on end) as last_sent_on,
        max(loaded_at) as loaded_at,
        max(built_at) as built_at
    from events
    where email_hash is not null
    group by campaign_id, email_hash
),

final as (
    select
        campaign_id,
        email_hash,
        cast((flags >> {{ bit.was_sent }}) & 1 as integer) as was_sent,
        cast((flags >> {{ bit.hard_bounced }}) & 1 as integer) as hard_bounced,
        cast((flags >> {{ bit.soft_bounced }}) & 1 as integer) as soft_bounced,
        cast((flags >> {{ bit.opened }}) & 1 as integer) as opened,
        cast((flags >> {{ bit.opened_human }}) & 1 as integer) as opened_human,
        cast((flags >> {{ bit.clicked_human }}) & 1 as integer) as clicked_human,
        cast((flags >> {{ bit.opened_machine }}) & 1 as integer) as opened_machine,
        cast((flags >> {{ bit.unsubscribed }}) & 1 as integer) as unsubscribed,
        cast((flags >> {{ bit.complained }}) & 1 as integer) as complained,
        last_sent_on,
        loaded_at,
        built_at,
        cast((flags >> {{ bit.from_listmonk }}) & 1 as integer) as from_listmonk,
        cast((flags >> {{ bit.from_mautic }}) & 1 as integer) as from_mautic,
        cast((flags >> {{ bit.from_canonical }}) & 1 as integer) as from_canonical
    from grouped
)

select * from final
