-- Every recipient event as read, a repeated row of overlapping exports included: int_newsletter_events counts each
-- event once, in the window that also finds the recipient's first send (its comment says why).
-- Only the keyed address hash leaves raw; the user agent is reduced to the one fact the metrics need.
with

source as (
    select * from {{ source('raw', 'newsletter_activity') }}
    where email_hash is not null
),

renamed as (
    select
        {{ dbt.hash(dbt.concat(["source.campaign_id", "'|'", "source.email_hash", "'|'", "source.action", "'|'",
            dbt.safe_cast("source.occurred_at", dbt.type_string()), "'|'",
            "coalesce(source.link, '')"])) }} as activity_id,
        source.campaign_id,
        source.email_hash,
        source.action,
        source.occurred_at,
        source.link,
        coalesce(source.user_agent = 'Mozilla/5.0', false) as is_proxy_user_agent,
        coalesce(source.machine_flag, false) as is_flagged_machine,
        source._loaded_at
    from source
)

select * from renamed
