-- One row per registration (Anmelde-ID); overlapping exports repeat registrations, the latest export wins.
with

source as (
    select * from {{ source('raw', 'attendance') }}
),

roles as (
    select * from {{ ref('code_mappings') }}
    where domain = 'role'
),

renamed as (
    select
        source.registration_id,
        source.event_id,
        source.member_id_hash as alumni_key,
        source.email_hash,
        source.registered_on,
        lower(coalesce(source.status, '')) = 'storniert' as is_cancelled,
        source.checked_in_at,
        coalesce(roles.code, 'participant') as role,
        source._exported_at,
        source._loaded_at
    from source
    left join roles on source.role = roles.label_de
),

deduplicated as (
    {{ deduplicate('renamed', 'registration_id', '_exported_at desc nulls last, _loaded_at desc') }}
),

final as (
    select
        registration_id,
        event_id,
        alumni_key,
        email_hash,
        registered_on,
        is_cancelled,
        checked_in_at,
        role
    from deduplicated
)

select * from final
