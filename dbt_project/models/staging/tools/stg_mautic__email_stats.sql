-- One row per Mautic "Emails sent" record (subject, address, time sent): the latest export wins, so a later
-- download that shows a read or a click updates the record (TOOLS.md §8).
with

source as (
    select * from {{ source('raw', 'mautic_email_stats') }}
    where email_hash is not null
),

renamed as (
    select
        source.subject,
        source.email_hash,
        source.sent_at,
        coalesce(source.is_read, false) as is_read,
        source.read_at,
        coalesce(source.is_clicked, false) as is_clicked,
        coalesce(source.is_unsubscribed, false) as is_unsubscribed,
        coalesce(source.is_bounced, false) as is_bounced,
        coalesce(source.reports_bounces, false) as reports_bounces,
        coalesce(source.reports_unsubscribes, false) as reports_unsubscribes,
        -- `Read delay` is HH:MM:SS (MySQL TIMEDIFF), `-` when unread
        case
            when regexp_full_match(trim(source.read_delay), '\d+:\d{2}:\d{2}')
                then
                    cast(split_part(trim(source.read_delay), ':', 1) as integer) * 3600
                    + cast(split_part(trim(source.read_delay), ':', 2) as integer) * 60
                    + cast(split_part(trim(source.read_delay), ':', 3) as integer)
        end as read_delay_seconds,
        source._exported_at,
        source._loaded_at,
        source._line
    from source
),

-- one export can hold the same send twice (a mailbox shared by two contacts): the row that was read or clicked
-- wins, then the earlier line, so that every build picks the same row
deduplicated as (
    {{ deduplicate('renamed', 'subject, email_hash, sent_at',
        '_exported_at desc nulls last, _loaded_at desc, is_clicked desc, is_read desc, read_at nulls last, _line') }}
),

final as (
    select
        subject,
        email_hash,
        sent_at,
        is_read,
        read_at,
        is_clicked,
        is_unsubscribed,
        is_bounced,
        reports_bounces,
        reports_unsubscribes,
        read_delay_seconds,
        _loaded_at as loaded_at
    from deduplicated
)

select * from final
