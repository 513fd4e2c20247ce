-- One row per ambassador report; free-text notes never leave raw.
with

source as (
    select * from {{ source('raw', 'club_activities') }}
),

activities as (
    select * from {{ ref('code_mappings') }}
    where domain = 'club_activity'
),

renamed as (
    select
        source.report_id,
        source.club_id,
        source.activity_on,
        coalesce(activities.code, 'other') as activity,
        coalesce(source.quantity, 1) as quantity,
        source.participants,
        source.reported_by_id_hash as reporter_key,
        source._exported_at,
        source._loaded_at
    from source
    left join activities on source.activity = activities.label_de
),

deduplicated as (
    {{ deduplicate('renamed', 'report_id', '_exported_at desc nulls last, _loaded_at desc') }}
),

final as (
    select
        report_id,
        club_id,
        activity_on,
        activity,
        quantity,
        participants,
        reporter_key
    from deduplicated
)

select * from final
