{#
  Resolve the member behind activity (METRICS.md "Matching activity to members"): by member key where given
  and known, else by the address, against every address any member had in any snapshot. An address held by
  two members goes to the one whose snapshot was nearest before the activity (then the earliest after it).
  Returns `relation` with one more column, matched_key (null: unmatched, kept for totals).
#}
{% macro match_member(relation, id_column, day_column, key_column=none) -%}
    with

    activity as (
        select * from {{ relation }}
    ),

    known_members as (
        select distinct alumni_key from {{ ref('int_member_spells') }}
    ),

    email_owners as (
        select * from {{ ref('int_email_owners') }}
    ),

    candidates as (
        select
            activity.{{ id_column }} as candidate_id,
            email_owners.alumni_key,
            row_number() over (
                partition by activity.{{ id_column }}
                order by
                    case when email_owners.first_seen_on <= activity.{{ day_column }} then 0 else 1 end,
                    case
                        when email_owners.last_seen_on <= activity.{{ day_column }} then email_owners.last_seen_on
                        else activity.{{ day_column }}
                    end desc,
                    -- before it: the latest to get the address; after it (every holder's first snapshot later):
                    -- the earliest, the nearest
                    case when email_owners.first_seen_on <= activity.{{ day_column }} then email_owners.first_seen_on end desc,
                    email_owners.first_seen_on,
                    email_owners.alumni_key
            ) as candidate_rank
        from activity
        inner join email_owners on activity.email_hash = email_owners.email_hash
        {% if key_column %}
        where activity.{{ key_column }} is null
            or activity.{{ key_column }} not in (select known_members.alumni_key from known_members)
        {% endif %}
    ),

    by_email as (
        select candidate_id, alumni_key from candidates where candidate_rank = 1
    )

    select
        activity.*,
        {% if key_column %}
        coalesce(known_by_id.alumni_key, by_email.alumni_key) as matched_key
        {% else %}
        by_email.alumni_key as matched_key
        {% endif %}
    from activity
    {% if key_column %}
    left join known_members as known_by_id on activity.{{ key_column }} = known_by_id.alumni_key
    {% endif %}
    left join by_email on activity.{{ id_column }} = by_email.candidate_id
{%- endmacro %}
