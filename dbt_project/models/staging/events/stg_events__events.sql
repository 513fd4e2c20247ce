-- One row per event; the latest export wins (by export date, then load time: TOOLS.md §1).
with

source as (
    select * from {{ source('raw', 'events') }}
),

codes as (
    select * from {{ ref('code_mappings') }}
),

countries as (
    select * from {{ ref('countries') }}
),

faculties as (
    select * from {{ ref('faculties') }}
),

renamed as (
    select
        source.event_id,
        coalesce(event_types.code, 'other') as event_type,
        source.starts_at,
        source.city,
        countries.country_code,
        formats.code as format,
        organisers.code as organiser,
        source.club_id,
        faculties.faculty_code,
        source.external_id,
        source._exported_at,
        source._loaded_at
    from source
    left join codes as event_types
        on event_types.domain = 'event_type' and source.event_type = event_types.label_de
    left join codes as formats
        on formats.domain = 'format' and source.format = formats.label_de
    left join codes as organisers
        on organisers.domain = 'organiser' and source.organiser = organisers.label_de
    left join countries on {{ country_matches('source.country') }}
    left join faculties
        on upper(trim(source.faculty)) = faculties.faculty_code
),

deduplicated as (
    {{ deduplicate('renamed', 'event_id', '_exported_at desc nulls last, _loaded_at desc') }}
),

final as (
    select
        event_id,
        event_type,
        starts_at,
        city,
        country_code,
        format,
        organiser,
        club_id,
        faculty_code,
        external_id
    from deduplicated
)

select * from final
