"""Upgrades of the rows a warehouse already holds, where a newer version reads a value otherwise than the version
that loaded them: each applied once, on the first writable connection after the update (before any file is
loaded the new way), in one transaction, and recorded in `meta.upgrades`.

An upgrade that changed a keyed hash leaves dbt's incremental models with rows built from the old one: the next
dbt build is a full refresh (`full_refresh_due`, pipelines/defs/transform.py), after which it is marked done.
"""

from __future__ import annotations

import duckdb

from pipelines.ingest import privacy, rules, tools
from pipelines.ingest.catalogue import raw_tables
from pipelines.ingest.sources import EMAIL, MEMBER_ID

STRIPPED_IDENTITIES = "stripped_identities"
# Rules of the models that changed what rows of dbt's incremental models hold (2026-12-06: a re-registration
# between two snapshots starts a new spell, an address whose holders all appear after the activity goes to the
# earliest of them): rows built before hold the old answer, so a warehouse built before rebuilds once.
MODEL_RULES_2026_12 = "model_rules_2026_12"
RUN_ID = "upgrade"


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """Every upgrade this warehouse has not had yet (`meta.upgrades`, made by schema.ensure_schema), in order."""
    done = {name for (name,) in con.execute("select name from meta.upgrades").fetchall()}
    for name, upgrade in ((STRIPPED_IDENTITIES, restrip_identities), (MODEL_RULES_2026_12, models_built)):
        if name in done:
            continue
        con.begin()
        try:
            changed = upgrade(con)
            con.execute("insert into meta.upgrades values (?, now()::timestamp, ?, null)", [name, changed])
            con.commit()
        except BaseException:
            con.rollback()
            raise


def models_built(con: duckdb.DuckDBPyConnection) -> int:
    """1 where dbt has built its models in this warehouse before (their rows follow the old rules), else 0."""
    return con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'intermediate' and table_name = 'int_member_spells'"
    ).fetchone()[0]


def restrip_identities(con: duckdb.DuckDBPyConnection) -> int:
    """Member ids and addresses stripped as Python strips them (`rules.stripped`), where a version before it had
    left a tab, a line break or another white space that DuckDB's trim() does not take around them: their value,
    validity and keyed hash as a load makes them now, in raw and in quarantine (where the text is kept as it
    was). Then every file with such a row is swept as a load sweeps it, and everywhere for what that reveals: a
    row that now names an erased person goes. An erasure request keeps only its hashes: one written with such
    white space before the upgrade still matches no one, and has to be put in again. Returns the values changed
    (a row whose id and address both changed counts twice)."""
    changed = 0
    touched: set[tuple[str, str]] = set()

    def update(table: str, name: str, new: dict[str, str], where: str) -> None:
        nonlocal changed
        files = con.execute(f"select distinct _file_sha256 from {table} as t where {where}").fetchall()
        if files:
            touched.update((name, sha) for (sha,) in files)
            values = ", ".join(f"{column} = {value}" for column, value in new.items())
            changed += con.execute(f"update {table} as t set {values} where {where}").fetchone()[0]

    for source in raw_tables():
        for c in source.hashed_columns:
            if c.kind not in (MEMBER_ID, EMAIL) or not c.stored:
                continue
            for schema in ("raw", "quarantine"):
                table = f"{schema}.{source.name}"
                new = {f"{c.name}_hash": f"alumni_hmac({rules.hash_key(c, f't.{c.name}')})"}
                kept = ""
                if schema == "raw":  # the typed value and its validity; quarantine keeps the text as it was
                    value = rules.typed_expr(c, f"t.{c.name}")
                    new[c.name] = value
                    if c.kind == EMAIL:
                        new[f"{c.name}_valid"] = rules.email_valid(c, f"t.{c.name}")
                    # A row the rules would now quarantine stays as it was (with its old hash): a required value
                    # that was nothing but such white space, a key that its file holds once more without it.
                    if c.required:
                        kept += f" and {value} is not null"
                    if c.name == source.key:
                        kept += (
                            f" and not exists (select 1 from {table} as o where o._file_sha256 = t._file_sha256 "
                            f"and o.rowid <> t.rowid and {rules.typed_expr(c, f'o.{c.name}')} = {value})"
                        )
                # such white space inside a value (not stripped) changes nothing: those rows are left alone
                differs = " or ".join(f"t.{column} is distinct from {value}" for column, value in new.items())
                spaced = f"regexp_matches(t.{c.name}, '{rules.UNTRIMMED_SPACE}')"
                update(table, source.name, new, f"{spaced} and ({differs}){kept}")
    # a check-in list row's registration was keyed from its parts as they were stored, trimmed only
    key = f"upper({tools.checkin_key('t', 't.position_id')})"
    update(
        "raw.pretix_checkin_list",
        "pretix_checkin_list",
        {"registration_key": key, "registration_key_hash": f"alumni_hmac({key})"},
        f"t.position_id is not null and t.registration_key is distinct from {key}",
    )
    for table, sha in sorted(touched):
        privacy.sweep(con, RUN_ID, sha, table)
    if touched:
        privacy.sweep(con, RUN_ID)
    return changed


def full_refresh_due(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether an upgrade changed keyed hashes that dbt's incremental models have not been rebuilt from."""
    return bool(
        con.execute(
            "select count(*) from meta.upgrades where rows_changed > 0 and full_refresh_done_at is null"
        ).fetchone()[0]
    )


def full_refresh_done(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "update meta.upgrades set full_refresh_done_at = now()::timestamp "
        "where rows_changed > 0 and full_refresh_done_at is null"
    )
