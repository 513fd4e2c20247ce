-- Donations with the member behind them (by member id, else by address); unmatched donors are kept.
with

donations as (
    select * from {{ ref('stg_donations__donations') }}
),

matched as (
    {{ match_member('donations', 'donation_id', 'donated_on', key_column='alumni_key') }}
),

final as (
    select
        donation_id,
        matched_key as alumni_key,
        email_hash,
        donated_on,
        amount_eur,
        purpose
    from matched
)

select * from final
