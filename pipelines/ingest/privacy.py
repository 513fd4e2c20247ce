"""Pseudonymisation key, keyed hashes, and erasure (GDPR Art. 17, § 15 SächsHSG).

The key lives outside both databases: `ALUMNI_PSEUDONYM_KEY`, else `D/secrets/pseudonym.key` (created once,
mode 0600). It only ever enters DuckDB inside a temporary macro of one connection, never a table or a file.
Which tables and columns erasure reads and clears is not listed here: it follows from what each column of
sources.py and tools.py declares (`Privacy`), so a new personal column is erased as soon as it is declared.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

from pipelines.ingest import rules
from pipelines.ingest.catalogue import raw_tables
from pipelines.ingest.sources import (
    ADDRESS,
    DELETE,
    DETACH,
    EMAIL,
    MEMBER,
    REQUEST,
    TOMBSTONE,
    Source,
)

KEY_ENV = "ALUMNI_PSEUDONYM_KEY"

# What erasure does, derived from the declarations of sources.py and tools.py (each hashed column says which
# identity its keyed hash names and what erasing that person does to the row; see `Privacy` in sources.py).


def _erasure_plan(tables: list[Source]):
    """The sweep's tables and columns from the declarations (the constants below, in this order)."""
    identity, dependants, detach, linking = [], [], {}, {}
    for source in tables:
        hashed = source.hashed_columns
        # a row that goes needs no detaching: per table, the deleting columns first
        for action in (DELETE, DETACH):
            for c in hashed:
                if c.privacy.on_erasure == action:
                    identity.append((source.name, f"{c.name}_hash", c.privacy.identity, action))
                    if action == DETACH:
                        detach[(source.name, f"{c.name}_hash")] = (
                            c.name,
                            f"{c.name}_hash",
                            *c.privacy.clears,
                        )
        dependants += [
            (source.name, f"{c.name}_hash", c.privacy.identity)
            for c in hashed
            if c.privacy.on_erasure == TOMBSTONE
        ]
        deleting = {
            kind: [
                f"{c.name}_hash"
                for c in hashed
                if c.privacy.on_erasure == DELETE and c.privacy.identity == kind
            ]
            for kind in (MEMBER, ADDRESS)
        }
        if deleting[MEMBER] and deleting[ADDRESS]:
            if len(deleting[MEMBER]) > 1 or len(deleting[ADDRESS]) > 1:
                raise ValueError(f"{source.name}: a row links one member id to one address")
            linking[source.name] = (deleting[MEMBER][0], deleting[ADDRESS][0])
    requests = [s for s in tables if any(c.privacy.on_erasure == REQUEST for c in s.columns)]
    if len(requests) != 1:
        raise ValueError("exactly one source holds the erasure requests")
    request = {c.privacy.identity: f"{c.name}_hash" for c in requests[0].hashed_columns}
    if any(s.holds_addresses and s.name not in linking for s in tables):
        raise ValueError("a source that holds addresses links one member id to one address")
    holding = {s.name: linking[s.name] for s in tables if s.holds_addresses}
    return (
        tuple(identity),
        tuple(dependants),
        detach,
        linking,
        holding,
        (requests[0].name, request[MEMBER], request[ADDRESS]),
    )


# IDENTITY_COLUMNS: the hash columns that carry a person, and how: (table, hash column, identity, action).
# "delete" removes the row; "detach" keeps the row (a club's activity is the club's, not the person's) but
# empties DETACH_COLUMNS[(table, hash column)]: the person's id, its hash, and free text that may name them.
# DEPENDANTS: rows whose erasure erases others that refer to them: (table, key hash column, identity). The key's
# hash becomes an erased identity, so a scan or list row of the registration goes too, whenever it is loaded.
# LINKING_TABLES: rows that link a member id to an address, table -> (member hash column, address hash column):
# the closure "every address ever linked to that person" follows them.
# HOLDING_TABLES: the linking tables whose rows say which addresses a member holds (the snapshots, `holds_addresses`):
# the members behind an address-only request, and the other holders that keep a family mailbox, come from them.
# REQUESTS: (table, member hash column, address hash column) of the erasure requests.
IDENTITY_COLUMNS, DEPENDANTS, DETACH_COLUMNS, LINKING_TABLES, HOLDING_TABLES, REQUESTS = _erasure_plan(
    raw_tables()
)


def personal_column_names() -> set[str]:
    """Every column name that holds a personal value or its keyed hash in some raw table (the publish guard)."""
    return {name for source in raw_tables() for name in source.withheld_columns}


def load_key(secrets_dir: Path) -> bytes:
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode("utf-8")
    key_file = secrets_dir / "pseudonym.key"
    if not key_file.exists():
        secrets_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(secrets_dir, 0o700)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


def normalise_member_id(value: str) -> str:
    return value.strip().upper()


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256, hex: the same function as the SQL macro `alumni_hmac`."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def install_hmac(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """A temporary macro `alumni_hmac(text)` in this connection only (HMAC-SHA256 written out in SQL)."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in block).hex()
    opad = bytes(b ^ 0x5C for b in block).hex()
    con.execute(
        f"create or replace temp macro alumni_hmac(m) as "
        f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode(m))))"
    )


def _file_touches_erased(con: duckdb.DuckDBPyConnection, file_sha256: str, tables: set[str]) -> bool:
    """Whether one file's rows in `tables` (raw and quarantine) hold an erased identity, or a record of it kept
    whole names one. One statement for every column and table: asked for each file loaded, seven statements of
    a pretix export's took about 5 ms, most of it DuckDB's planning (docs/benchmarks.md, issue 13, thirty-second
    pass)."""
    erased = "select hash from meta.erased_identities"
    probes = []
    for table in sorted({t for t, *_ in IDENTITY_COLUMNS if t in tables}):
        columns = [column for t, column, _kind, _action in IDENTITY_COLUMNS if t == table]
        named = " or ".join(f"{column} in ({erased})" for column in columns)
        probes.append(f"select 1 from raw.{table} where _file_sha256 = $sha and ({named})")
        probes.append(
            f"select 1 from quarantine.{table} where _file_sha256 = $sha and ({named} or {_raw_record_hit(erased)})"
        )
    # a table without an identity column (events, campaigns, requests), or nobody erased yet: nothing to ask
    if not probes or not con.execute("select count(*) from meta.erased_identities").fetchone()[0]:
        return False
    found = " or ".join(f"exists ({probe})" for probe in probes)
    return bool(con.execute(f"select {found}", {"sha": file_sha256}).fetchone()[0])


def sweep(
    con: duckdb.DuckDBPyConnection, run_id: str, file_sha256: str | None = None, source: str | None = None
) -> dict[str, int]:
    """Remove every trace of erased people; restricted to one file's rows (of table `source`) when given.

    Without a file, the sweep reaches into every table, but only for identities that no full sweep has handled
    yet (`swept_everywhere_at` is null): rows of identities swept before are gone, and every file loaded since
    was swept against all identities as it was loaded. A crash before the stamp leaves the identity unstamped,
    so the next full sweep handles it. Runs inside the caller's transaction. Returns rows removed (or
    detached) per table.
    """
    # The requests become erased identities at their own file's load (its sweep, in the file's transaction) and
    # again in the full sweep after every run's requests step: another file's sweep would find every request
    # recorded already (a statement of about 4 ms for each file loaded: 1 s of a first build's 215 files at
    # scale 1; docs/benchmarks.md, issue 13, twenty-second pass).
    if not file_sha256 or source in (None, REQUESTS[0]):
        _record_requests(con, run_id)
    file_filter = "and _file_sha256 = $sha" if file_sha256 else ""
    params = {"sha": file_sha256} if file_sha256 else {}
    tables = {source} if source else {table for table, *_ in IDENTITY_COLUMNS}
    if file_sha256 and not _file_touches_erased(con, file_sha256, tables):
        return {}  # the common case: nobody in this file was erased
    # which identities to search for: all of them in one file; everywhere, only those not swept everywhere yet
    searched = (
        "select hash, kind, requested_on from meta.erased_identities"
        if file_sha256
        else "select hash, kind, requested_on from meta.erased_identities where swept_everywhere_at is null"
    )
    if not file_sha256 and not con.execute(f"select count(*) from ({searched})").fetchone()[0]:
        return {}
    _derive_identities(con, run_id, searched, tables, file_filter, params)
    for schema in ("raw", "quarantine"):
        for table, key, kind in DEPENDANTS:
            if table not in tables:
                continue
            person = " or ".join(
                f"{column} in (select hash from ({searched}))"
                for t, column, _k, action in IDENTITY_COLUMNS
                if t == table and action == DELETE
            )
            con.execute(
                f"""
                insert into meta.erased_identities (hash, kind, requested_on, first_seen_run)
                select distinct {key}, '{kind}', current_date, '{run_id}' from {schema}.{table}
                where {key} is not null and ({person}) {file_filter}
                  and {key} not in (select hash from meta.erased_identities)
                """,
                params,
            )
    removed: dict[str, int] = {}
    for schema in ("raw", "quarantine"):
        for table, column, _kind, action in IDENTITY_COLUMNS:
            if table not in tables:
                continue
            target = f"{schema}.{table}"
            where = f"{column} in (select hash from ({searched})) {file_filter}"
            if table in LINKING_TABLES and column == LINKING_TABLES[table][1]:
                # a row that names a member belongs to that member: an address alone does not take it away.
                # A snapshot's row says the member holds the address (a family mailbox) and keeps it; another
                # row (a registration, a donation: a gift in that member's name, an assistant's mailbox) does
                # not, and the erased address leaves it
                if table not in HOLDING_TABLES:
                    member = LINKING_TABLES[table][0]
                    value = column.removesuffix("_hash")
                    valid = f", {value}_valid = false" if schema == "raw" else ""
                    count = con.execute(
                        f"update {target} set {value} = null, {column} = null{valid} where {where} "
                        f"and {member} is not null and {member} not in (select hash from meta.erased_identities)",
                        params,
                    ).fetchone()[0]
                    if count:
                        removed[target] = removed.get(target, 0) + count
                where += f" and {LINKING_TABLES[table][0]} is null"
            if action == DELETE:
                count = con.execute(f"delete from {target} where {where}", params).fetchone()[0]
            else:
                cleared = ", ".join(f"{c} = null" for c in DETACH_COLUMNS[(table, column)])
                count = con.execute(f"update {target} set {cleared} where {where}", params).fetchone()[0]
            if count:
                removed[f"{target}"] = removed.get(target, 0) + count
    for target, count in _clear_raw_records(con, searched, tables, file_filter, params).items():
        removed[target] = removed.get(target, 0) + count
    if not file_sha256:
        con.execute(
            "update meta.erased_identities set swept_everywhere_at = now() where swept_everywhere_at is null"
        )
    for table, count in removed.items():
        con.execute(
            "insert into meta.erasure_log (run_id, table_name, rows_affected, swept_at) values (?, ?, ?, now())",
            [run_id, table, count],
        )
    return removed


def erase_before_writing(
    con: duckdb.DuckDBPyConnection, run_id: str, source: Source, file_sha256: str | None = None
) -> tuple[int, int, int]:
    """Take the rows of people erased before out of one file's staged rows (the temp table `checked`, with
    `hashes_<column>`), before anything is written: a file's rows deleted after their insert, even in the
    same transaction, may stay in warehouse.duckdb's bytes, and the run must rewrite the whole file
    (`guards.compact_after_erasure`); rows never written need no rewrite. Re-exports name erased people again
    and again (a running year's members, event and newsletter exports): at scale 10 a month's rewrite took
    about a third of its run (docs/benchmarks.md, issue 13, fifteenth pass).

    Only what `sweep` would do after the insert. In a table that links a member id to an address, what `sweep`
    derives from the file's rows (the member behind an address asked for by itself, another address of an
    erased member that nobody else holds) is derived first from the staged rows, so that a row revealing an
    address goes here too (`_linking_rows_that_go`; with `file_sha256`, the file's records that did not split
    into fields, quarantined whole before this, are read as `sweep` reads them: `staging.load_staged` passes
    it). A registration named by a removed row is tombstoned, as `sweep` does; a detached column (not an
    address) is emptied. What is left `sweep` does after the insert, as before. Removed rows count as loaded or
    quarantined (rows_read = rows_loaded + rows_quarantined) and as erased, in meta.erasure_log with
    `before_writing`. Returns (good rows removed, rows that broke a rule removed, rows detached)."""
    deleting = [c for c in source.hashed_columns if c.privacy.on_erasure == DELETE]
    tombstones = [c for c in source.hashed_columns if c.privacy.on_erasure == TOMBSTONE]
    # an address is detached by `sweep` only: raw keeps its validity, which reads the key
    detaching = [c for c in source.hashed_columns if c.privacy.on_erasure == DETACH and c.kind != EMAIL]
    if source.name in LINKING_TABLES and tombstones:
        return 0, 0, 0  # no such table today: sweep's dependants ignore the linking rule
    # the requests' own identities are there since their file's load (its sweep records them)
    erased = "select hash from meta.erased_identities"
    named_any = " union all ".join(
        f"select 1 from hashes_{c.name} where h in ({erased})" for c in deleting + detaching
    )
    if not named_any or not con.execute(f"select count(*) from ({named_any})").fetchone()[0]:
        return 0, 0, 0  # the common case: nobody in this file was erased

    def named(c) -> str:
        return f"k_{c.name} in (select k from hashes_{c.name} where h in ({erased}))"

    goes = " or ".join(named(c) for c in deleting) or "false"
    if source.name in LINKING_TABLES:
        goes = _linking_rows_that_go(con, run_id, source, deleting, named, file_sha256)
    for c in tombstones:
        con.execute(
            f"""
            insert into meta.erased_identities (hash, kind, requested_on, first_seen_run)
            select distinct key.h, '{c.privacy.identity}', current_date, '{run_id}'
            from checked join hashes_{c.name} as key on checked.k_{c.name} = key.k
            where ({goes}) and key.h not in ({erased})
            """
        )
    split = "select count(*) filter (where _failure is null), count(*) filter (where _failure is not null) from checked"
    removed = con.execute(f"{split} where {goes}").fetchone()
    con.execute(f"delete from checked where {goes}")
    detached = (0, 0)
    if source.name in LINKING_TABLES and source.name not in HOLDING_TABLES:
        # as `sweep` does: a row that names a member who is not erased stays, without the erased address
        member_column, address_column = (
            next(c for c in deleting if f"{c.name}_hash" == h) for h in LINKING_TABLES[source.name]
        )
        kept_without_address = (
            f"k_{member_column.name} is not null and not ({named(member_column)}) and {named(address_column)}"
        )
        emptied = ", ".join(f"{v} = null" for v in rules.value_columns(address_column))
        detached = con.execute(f"{split} where {kept_without_address}").fetchone()
        con.execute(
            f"update checked set {emptied}, k_{address_column.name} = null where {kept_without_address}"
        )
    for c in detaching:  # as `sweep` does: the person's id, its hash and free text that may name them
        cleared = [n for n in DETACH_COLUMNS[(source.name, f"{c.name}_hash")] if not n.endswith("_hash")]
        good, broken = con.execute(f"{split} where {named(c)}").fetchone()
        emptied = ", ".join(f"{v} = null" for n in cleared for v in rules.value_columns(source.column(n)))
        con.execute(f"update checked set {emptied}, k_{c.name} = null where {named(c)}")
        detached = (detached[0] + good, detached[1] + broken)
    # raw rows first, then quarantined ones (good rows, then broken ones), removed and then detached
    for schema, count in (("raw", removed[0] + detached[0]), ("quarantine", removed[1] + detached[1])):
        if count:
            con.execute(
                "insert into meta.erasure_log (run_id, table_name, rows_affected, swept_at, before_writing) "
                "values (?, ?, ?, now(), true)",
                [run_id, f"{schema}.{source.name}", count],
            )
    return int(removed[0]), int(removed[1]), int(sum(detached))


def _linking_rows_that_go(
    con, run_id: str, source: Source, deleting: list, named, file_sha256: str | None
) -> str:
    """Which staged rows of a table that links a member id to an address go before writing (SQL over `checked`).
    `sweep` removes a row whose member is erased, or whose address is and which names no member; first it derives
    from the file's rows (`_derive_identities`) the members behind an address asked for by itself (of a snapshot's
    file only), then the addresses of erased members that no member who is not erased holds in a snapshot (a family
    mailbox stays with that member). Here the same derivations run over the staged rows first, in the same order:
    the good rows where it reads raw, the broken ones where it reads quarantine (an identity found in the first gets
    its request date from them alone), the holders found among the file's own rows and, where that leaves one
    without, the rows written before. Then every row that `sweep` removes goes, a row revealing an erased member's
    address too: a first build, whose members' exports link erased members to all their addresses, needs no rewrite
    for it (docs/benchmarks.md, issue 13, seventeenth pass). The file's records that did not split into fields are
    in quarantine already (`file_sha256`: written whole, before the staged rows, by `staging.load_staged`) and read
    with the broken rows, as `sweep` reads them: as holders of an address, and as rows that reveal one (a malformed
    record of an erased person itself is written, and removed by `sweep`)."""
    member_hash, address_hash = LINKING_TABLES[source.name]
    member = next(c for c in deleting if f"{c.name}_hash" == member_hash)
    address = next(c for c in deleting if f"{c.name}_hash" == address_hash)
    # the file's malformed records (its sha256 is hex: nothing to quote, but nothing could break out either)
    sha = (file_sha256 or "").replace("'", "")
    in_file = f"quarantine.{source.name} where _file_sha256 = '{sha}'"
    malformed = (
        f" union all select {address_hash}, {member_hash} from {in_file} "
        f"and {address_hash} is not null and {member_hash} is not null"
        if file_sha256
        else ""
    )

    def links(rows: str, with_malformed: bool) -> str:
        """The file's rows that link a member to an address, by their keyed hashes: the staged rows `rows`
        selects, and with `with_malformed` every malformed record of the file."""
        staged = (
            f"select a.h as email_hash, m.h as member_id_hash from checked "
            f"join hashes_{address.name} as a on checked.k_{address.name} = a.k "
            f"join hashes_{member.name} as m on checked.k_{member.name} = m.k where {rows}"
        )
        return staged + malformed if with_malformed else staged

    # as `sweep` reads raw, then quarantine (the broken rows, and the malformed records quarantined whole);
    # most files have no broken row that links: their second reading would find nothing
    phases = (("_failure is null", False), ("_failure is not null", True))
    if not con.execute(f"select exists ({links(*phases[1])})").fetchone()[0]:
        phases = phases[:1]
    requests, request_member, request_address = REQUESTS
    holds = source.name in HOLDING_TABLES
    for rows, with_malformed in phases if holds else ():  # members behind an address-only request
        con.execute(
            f"""
            insert into meta.erased_identities (hash, kind, requested_on, first_seen_run)
            select t.member_id_hash, '{MEMBER}', min(r.requested_on), $run
            from ({links(rows, with_malformed)}) as t
            join raw.{requests} as r on t.email_hash = r.{request_address} and r.{request_member} is null
            where t.member_id_hash not in (select hash from meta.erased_identities)
            group by t.member_id_hash
            """,
            {"run": run_id},
        )
    # the addresses that rows of erased members reveal: the few rows of erased members first, then their
    # addresses' hashes (joining every staged row to its hashes first took a members export 0.5 s)
    erased = "select hash from meta.erased_identities"
    candidates = (
        f"select a.h from checked join hashes_{address.name} as a on checked.k_{address.name} = a.k "
        f"where {named(member)} and a.h not in ({erased})"
    )
    if file_sha256:
        candidates += (
            f" union all select {address_hash} from {in_file} "
            f"and {member_hash} in ({erased}) and {address_hash} not in ({erased})"
        )
    con.execute(f"create or replace temp table linking_candidates as {candidates}")
    if con.execute("select count(*) from linking_candidates").fetchone()[0]:
        erased_members = f"select hash, requested_on from meta.erased_identities where kind = '{MEMBER}'"
        # the candidates that a member who is not erased holds too, found once for both readings (the first
        # adds only addresses, which the second skips anyway; the erased members do not change). The file's
        # own rows first, its malformed records too: a family mailbox's other member is usually in the same
        # export, and then the rows written before (millions in a first build's later members exports) need
        # not be read.
        not_held = "select h from linking_candidates where h not in (select email_hash from linking_holders)"
        held_where = (
            f"where email_hash in ({not_held}) and member_id_hash is not null"
            f" and member_id_hash not in (select hash from ({erased_members}))"
        )
        candidate_keys = f"select k from hashes_{address.name} where h in (select h from linking_candidates)"
        own = links(f"k_{address.name} in ({candidate_keys})", with_malformed=True)
        con.execute("create or replace temp table linking_holders (email_hash varchar)")
        if holds:
            con.execute(
                f"insert into linking_holders select distinct email_hash from ({own}) as other {held_where}"
            )
        if con.execute(f"select exists ({not_held})").fetchone()[0]:
            written = _holding_rows()
            con.execute(
                f"insert into linking_holders select distinct email_hash from ({written}) as other {held_where}"
            )
        for rows, with_malformed in phases:  # the addresses of erased members that nobody else holds
            con.execute(
                f"""
                insert into meta.erased_identities (hash, kind, requested_on, first_seen_run)
                select t.email_hash, '{ADDRESS}', min(e.requested_on), $run
                from ({links(rows, with_malformed)}) as t join ({erased_members}) as e on t.member_id_hash = e.hash
                where t.email_hash in (select h from linking_candidates)
                  and t.email_hash not in (select hash from meta.erased_identities)
                  and t.email_hash not in (select email_hash from linking_holders)
                group by t.email_hash
                """,
                {"run": run_id},
            )
    return f"{named(member)} or (k_{member.name} is null and {named(address)})"


def _record_requests(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Tombstones for the requests: a request names one person, the member with its Mitgliedsnummer where
    given (its e-mail then only confirms it), else the address itself (CONTRACTS.md, erasure requests)."""
    table, member, address = REQUESTS
    con.execute(
        f"""
        insert into meta.erased_identities (hash, kind, requested_on, first_seen_run)
        select hash, kind, min(requested_on), ? from (
            select {member} as hash, '{MEMBER}' as kind, requested_on from raw.{table}
            where {member} is not null
            union all
            select {address}, '{ADDRESS}', requested_on from raw.{table}
            where {address} is not null and {member} is null
        ) as requested
        where hash not in (select hash from meta.erased_identities)
        group by hash, kind
        """,
        [run_id],
    )


def _holding_rows() -> str:
    """(email_hash, member_id_hash) of every snapshot row anywhere: which member holds which address."""
    return " union all ".join(
        f"select {address} as email_hash, {member} as member_id_hash from {schema}.{table}"
        for schema in ("raw", "quarantine")
        for table, (member, address) in HOLDING_TABLES.items()
    )


def _derive_identities(con, run_id: str, searched: str, tables: set[str], file_filter: str, params) -> None:
    """From the requests to the person: the members whose snapshots hold an address asked for by itself, then
    the addresses of erased members (from every row that links them: snapshots, registrations, donations) -
    except an address another member's snapshots hold too (a family mailbox), which stays with that member. No
    further step: an erased member's address never takes another member with it."""
    linking = [
        (schema, table) for schema in ("raw", "quarantine") for table in LINKING_TABLES if table in tables
    ]
    requests, request_member, request_address = REQUESTS
    in_file = file_filter.replace("_file", "t._file")
    for schema, table in linking:  # members behind an address-only request: whose snapshots hold it
        if table not in HOLDING_TABLES:
            continue
        member, address = LINKING_TABLES[table]
        con.execute(
            f"""
            insert into meta.erased_identities (hash, kind, requested_on, first_seen_run)
            select t.{member}, '{MEMBER}', min(r.requested_on), '{run_id}'
            from {schema}.{table} as t
            join raw.{requests} as r on t.{address} = r.{request_address} and r.{request_member} is null
            where t.{member} is not null
              and t.{member} not in (select hash from meta.erased_identities) {in_file}
            group by t.{member}
            """,
            params,
        )
    erased_members = f"select hash from meta.erased_identities where kind = '{MEMBER}'"
    for schema, table in linking:  # the addresses of erased members that nobody else holds
        member, address = LINKING_TABLES[table]
        con.execute(
            f"""
            insert into meta.erased_identities (hash, kind, requested_on, first_seen_run)
            select t.{address}, '{ADDRESS}', min(e.requested_on), '{run_id}'
            from {schema}.{table} as t
            join ({searched}) as e on t.{member} = e.hash and e.kind = '{MEMBER}'
            where t.{address} is not null
              and t.{address} not in (select hash from meta.erased_identities) {in_file}
              and not exists (
                  select 1 from ({_holding_rows()}) as other
                  where other.email_hash = t.{address} and other.member_id_hash is not null
                    and other.member_id_hash not in ({erased_members})
              )
            group by t.{address}
            """,
            params,
        )


def _raw_record_hit(searched: str) -> str:
    """SQL: a quarantined record kept whole (it did not split into its fields) holds an erased id or address
    in any of its fields. Split at every delimiter, line break and quote: a record whose quote was never closed
    swallowed the lines after it, each line's first field glued to the line break before it."""
    field = rules.stripped("x")  # as a staged id or address is (rules.staged)
    return (
        "_raw_record is not null and len(list_intersect("
        "flatten(list_transform(string_split_regex(_raw_record, '[;,\t\r\n\"]'), "
        f"lambda x: [alumni_hmac(upper({field})), alumni_hmac(lower(nfc_normalize({field})))])), "
        f"(select coalesce(list(hash), []) from ({searched})))) > 0"
    )


def _clear_raw_records(con, searched: str, tables: set[str], file_filter: str, params) -> dict[str, int]:
    """Malformed quarantined rows keep their raw text, and their fields sit in whatever column their position
    gave them: one that names an erased person goes as a whole, in every table (the ledger and the quarantine
    log keep its file, line and reason)."""
    removed: dict[str, int] = {}
    for table in sorted({t for t, *_ in IDENTITY_COLUMNS if t in tables}):
        target = f"quarantine.{table}"
        where = f"{_raw_record_hit(searched)} {file_filter}"
        count = con.execute(f"delete from {target} where {where}", params).fetchone()[0]
        if count:
            removed[target] = count
    return removed
