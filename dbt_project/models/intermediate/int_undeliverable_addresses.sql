-- Each address's first hard bounce or complaint (METRICS.md "contactable"), and when that day last changed:
-- int_members_on_key_dates rebuilds the members whose address changed since its own last build. A day changes
-- when an address gains an earlier bounce, and also when its bounces go: a Mautic export that no longer flags
-- the send, a campaign loaded later that takes a tool's rows to another campaign or to none. An address without
-- a bounce any more keeps a row with an empty day (the change is what counts). Incremental: the addresses whose
-- day differs from the one built are written again; erased addresses leave in the post-hook.
{{ config(
    materialized='incremental',
    unique_key='email_hash',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where email_hash in (select hash from {{ source('meta', 'erased_identities') }})"
    ]
) }}

with

first_bad as (
    select
        email_hash,
        min(occurred_on) as first_bad_on
    from {{ ref('int_newsletter_events') }}
    where action in ('hard_bounce', 'complaint') and email_hash is not null
    group by email_hash
),

changed as (
    {% if is_incremental() %}
        select
            coalesce(first_bad.email_hash, built.email_hash) as email_hash,
            first_bad.first_bad_on
        from first_bad
        full outer join {{ this }} as built on first_bad.email_hash = built.email_hash
        where first_bad.first_bad_on is distinct from built.first_bad_on
    {% else %}
        select
            email_hash,
            first_bad_on
        from first_bad
    {% endif %}
),

final as (
    select
        email_hash,
        first_bad_on,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as changed_at
    from changed
)

select * from final
