-- One row per club and clubs snapshot.
with

source as (
    select * from {{ source('raw', 'clubs') }}
),

statuses as (
    select * from {{ ref('code_mappings') }}
    where domain = 'club_status'
),

countries as (
    select * from {{ ref('countries') }}
),

renamed as (
    select
        source.club_id,
        cast(source._exported_at as date) as snapshot_on,  -- parsed at ingest from the file name
        source.club_name,
        source.city,
        countries.country_code,
        source.founded_on,
        source.ambassador_id_hash as ambassador_key,
        coalesce(statuses.code, 'active') as status,
        try_cast(replace(trim(source.latitude), ',', '.') as double) as latitude,
        try_cast(replace(trim(source.longitude), ',', '.') as double) as longitude,
        source._loaded_at
    from source
    left join statuses on source.status = statuses.label_de
    left join countries on {{ country_matches('source.country') }}
),

deduplicated as (
    {{ deduplicate('renamed', 'club_id, snapshot_on', '_loaded_at desc') }}
),

final as (
    select
        club_id,
        snapshot_on,
        club_name,
        city,
        country_code,
        founded_on,
        ambassador_key,
        status,
        -- optional catalogue coordinates; a value outside the globe is no coordinate
        case when latitude between -90 and 90 and longitude between -180 and 180 then latitude end as latitude,
        case when latitude between -90 and 90 and longitude between -180 and 180 then longitude end as longitude
    from deduplicated
    -- a file name whose date is not a date (loaded before the ingest refused such names) fails that file only
    where
        snapshot_on >= cast('1900-01-01' as date)
        and snapshot_on <= {{ dbt.dateadd('year', 2, 'current_date') }}
)

select * from final
