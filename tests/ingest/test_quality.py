"""Great Expectations suites on the rows a run loaded: per file, counts added up, mostly judged on totals."""

from __future__ import annotations

from pipelines.ingest import connect, quality
from tests.helpers import ingest_all, write_export
from tests.ingest.test_loader import MEMBERS, member


def test_suite_results_add_up_over_files_and_never_show_personal_values(data_dir):
    write_export(
        data_dir.landing / "members/members_2024-01-15.csv",
        MEMBERS,
        [member("A-000001", status="Gasthörer/in"), member("X-1", "b@x.de")],
    )
    write_export(
        data_dir.landing / "members/members_2024-02-15.csv",
        MEMBERS,
        [member("A-000001"), member("A-000002", "b@x.de")],
    )
    ingest_all(data_dir, "run-q")
    con = connect(data_dir)
    try:
        outcome = quality.validate(con, "members", "run-q")
        assert outcome.rows == 4
        failed = {o.check_name: o for o in outcome.outcomes if not o.passed}
        assert set(failed) == {
            "gx.members.column_values_to_be_in_set.status_group",
            "gx.members.column_values_to_match_regex.member_id",
        }
        assert not outcome.errors  # both are warnings: the rows are kept
        assert failed["gx.members.column_values_to_be_in_set.status_group"].observed_value == 1
        assert "Gasthörer/in" in failed["gx.members.column_values_to_be_in_set.status_group"].details
        assert "X-1" not in failed["gx.members.column_values_to_match_regex.member_id"].details
        assert quality.validate(con, "members", "another-run").outcomes == []
    finally:
        con.close()
