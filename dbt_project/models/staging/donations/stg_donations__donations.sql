-- One row per donation.
with

source as (
    select * from {{ source('raw', 'donations') }}
),

purposes as (
    select * from {{ ref('code_mappings') }}
    where domain = 'purpose'
),

renamed as (
    select
        source.donation_id,
        source.member_id_hash as alumni_key,
        source.email_hash,
        source.donated_on,
        source.amount_eur,
        coalesce(purposes.code, 'other') as purpose,
        source._exported_at,
        source._loaded_at
    from source
    left join purposes on source.purpose = purposes.label_de
),

deduplicated as (
    {{ deduplicate('renamed', 'donation_id', '_exported_at desc nulls last, _loaded_at desc') }}
),

final as (
    select
        donation_id,
        alumni_key,
        email_hash,
        donated_on,
        amount_eur,
        purpose
    from deduplicated
)

select * from final
