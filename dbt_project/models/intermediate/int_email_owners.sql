-- Every address a member has had in any snapshot, with the first and last snapshot showing it.
with

snapshots as (
    select * from {{ ref('stg_portal__member_snapshots') }}
),

final as (
    select
        email_hash,
        alumni_key,
        min(snapshot_on) as first_seen_on,
        max(snapshot_on) as last_seen_on
    from snapshots
    where email_hash is not null
    group by email_hash, alumni_key
)

select * from final
