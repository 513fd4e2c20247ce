-- One row per campaign; overlapping exports repeat campaigns, the latest export wins (by export date).
with

source as (
    select * from {{ source('raw', 'newsletter_campaigns') }}
),

topics as (
    select * from {{ ref('code_mappings') }}
    where domain = 'topic'
),

renamed as (
    select
        source.campaign_id,
        coalesce(topics.code, 'other') as topic,
        source.sent_at,
        lower(coalesce(source.language, 'de')) as language,
        source.subject,
        source.external_id,
        source.recipients_reported,
        source._exported_at,
        source._loaded_at
    from source
    left join topics on source.topic = topics.label_de
),

deduplicated as (
    {{ deduplicate('renamed', 'campaign_id', '_exported_at desc nulls last, _loaded_at desc') }}
),

final as (
    select
        campaign_id,
        topic,
        sent_at,
        language,
        subject,
        external_id,
        recipients_reported
    from deduplicated
)

select * from final
