-- One row per member and members snapshot (export file). Codes mapped with the reference seeds.
-- Not a view: every identity model and several tests read it, and it holds every snapshot's rows. Incremental
-- by snapshot date: a run adds the snapshots loaded since the last one (a date exported again replaces that
-- date as a whole); erased people leave in the post-hook (by member: a shared address stays with the other).
-- A change to the mapping seeds needs `alumni pipeline --full-refresh`.
-- Labels are mapped once per distinct spelling (a few hundred) and joined back on equality: a join on
-- "code or German or English name" over millions of rows would compare every row with every country.
{{ config(
    materialized='incremental',
    unique_key='snapshot_on',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where alumni_key in (select hash from {{ source('meta', 'erased_identities') }})"
    ]
) }}

with

-- `not materialized`: DuckDB materialises a CTE that is read more than once, here a copy of every members
-- export's rows and columns (3.7 million rows at scale 10, spilled to disk); read in place, each use scans only
-- its columns. With `renamed` below, the model's query at scale 10 took 0.8 s instead of 3.1-3.7 s.
source as not materialized (
    select * from {{ source('raw', 'members') }}
),

status_groups as (
    select * from {{ ref('status_groups') }}
),

faculties as (
    select * from {{ ref('faculties') }}
),

degrees as (
    select * from {{ ref('degrees') }}
),

countries as (
    select * from {{ ref('countries') }}
),

-- A snapshot is the whole register on its date: if the same date was exported twice, the file loaded last
-- replaces the earlier one as a whole (a member id occurs once per file: the ingest quarantines repeats). A file
-- is told by its content: an export corrected and put in again under the same name is a second file.
files as (
    select
        _file_sha256,
        max(_source_file) as _source_file,
        -- the export date, parsed once at ingest from the file name (also for `.xlsx` names)
        cast(max(_exported_at) as date) as snapshot_on,
        max(_loaded_at) as loaded_at
    from source
    group by _file_sha256
),

-- a file name whose date is not a date (loaded before the ingest refused such names) fails that file only
dated_files as (
    select * from files
    where
        snapshot_on >= cast('1900-01-01' as date)
        and snapshot_on <= {{ dbt.dateadd('year', 2, 'current_date') }}
),

latest_files as (
    {{ deduplicate('dated_files', 'snapshot_on', 'loaded_at desc, _source_file desc, _file_sha256 desc') }}
),

-- the snapshot dates to (re)build: all of them, or those with a file loaded since the last build
chosen_files as (
    select
        latest_files._file_sha256,
        latest_files.snapshot_on,
        latest_files.loaded_at
    from latest_files
    {% if is_incremental() %}
        where latest_files.loaded_at > (
            select coalesce(max(built.loaded_at), cast('1900-01-01' as timestamp)) from {{ this }} as built
        )
    {% endif %}
),

-- not materialized: read by the three label maps and by `mapped` (see `source`)
renamed as not materialized (
    select
        source.member_id_hash as alumni_key,
        chosen_files.snapshot_on,
        source.email_hash,
        source.status_group as status_group_label,
        source.faculty as faculty_label,
        source.degree as degree_label,
        source.graduation_year,
        source.country as country_label,
        source.city,
        source.registered_on,
        coalesce(source.newsletter_consent, false) as has_newsletter_consent,
        coalesce(source.tracking_consent, false) as has_tracking_consent,
        coalesce(source.contact_consent, false) as has_contact_consent,
        source.club_id,
        lower(coalesce(source.status, 'aktiv')) = 'abgemeldet' as is_left_row,
        source.left_on,
        chosen_files.loaded_at
    from source
    inner join chosen_files on source._file_sha256 = chosen_files._file_sha256
),

faculty_map as (
    select
        labels.faculty_label,
        min(faculties.faculty_code) as faculty_code
    from (select distinct faculty_label from renamed) as labels
    inner join faculties
        on
            upper(trim(labels.faculty_label)) = faculties.faculty_code
            or lower(trim(labels.faculty_label)) = lower(faculties.name_de)
            or lower(trim(labels.faculty_label)) = lower(faculties.name_en)
    group by labels.faculty_label
),

degree_map as (
    select
        labels.degree_label,
        min(degrees.degree) as degree
    from (select distinct degree_label from renamed) as labels
    inner join degrees on lower(trim(labels.degree_label)) = lower(degrees.label_de)
    group by labels.degree_label
),

country_map as (
    select
        labels.country_label,
        min(countries.country_code) as country_code
    from (select distinct country_label from renamed) as labels
    inner join countries on {{ country_matches('labels.country_label') }}
    group by labels.country_label
),

mapped as (
    select
        renamed.alumni_key,
        renamed.snapshot_on,
        renamed.email_hash,
        coalesce(status_groups.status_group, 'other') as status_group,
        coalesce(faculty_map.faculty_code, 'other') as faculty_code,
        degree_map.degree,
        renamed.graduation_year,
        country_map.country_code,
        renamed.city,
        renamed.registered_on,
        renamed.has_newsletter_consent,
        renamed.has_tracking_consent,
        renamed.has_contact_consent,
        renamed.club_id,
        renamed.is_left_row,
        renamed.left_on,
        renamed.loaded_at
    from renamed
    left join status_groups
        on renamed.status_group_label = status_groups.label_de
    left join faculty_map on renamed.faculty_label = faculty_map.faculty_label
    left join degree_map on renamed.degree_label = degree_map.degree_label
    left join country_map on renamed.country_label = country_map.country_label
),

final as (
    select
        alumni_key,
        snapshot_on,
        email_hash,
        status_group,
        faculty_code,
        degree,
        graduation_year,
        country_code,
        city,
        registered_on,
        has_newsletter_consent,
        has_tracking_consent,
        has_contact_consent,
        club_id,
        is_left_row,
        left_on,
        loaded_at
    from mapped
)

select * from final
