"""The dashboard's vocabularies and score constants come from the dbt seeds the SQL reads (dashboard/seeds.py):
the same lists, order and texts as when they were written out in the dashboard."""

from __future__ import annotations

from dashboard import charts, components, i18n, seeds


def test_filter_choices_in_the_seeds_order():
    assert components.FACULTIES == [
        "NAT", "MATH", "MB", "ETIT", "INF", "WIWI", "PHIL", "HSW", "URZ", "UB", "ZLB", "ZV", "other"
    ]  # fmt: skip
    assert components.STATUS_GROUPS == [
        "graduate", "doctorate", "professor", "staff", "former_student", "friend", "other"
    ]  # fmt: skip
    assert components.REGIONS == ["chemnitz", "saxony", "germany", "abroad", "unknown"]


def test_every_choice_has_a_label_in_both_languages():
    for code in [*components.STATUS_GROUPS, *components.REGIONS, *seeds.tiers()]:
        assert set(i18n.CODES[code]) == {"de", "en"}, code


def test_tiers_in_order_with_their_colours():
    assert seeds.tiers() == ["inactive", "interested", "active", "champion"]
    assert charts.TIER_COLOURS == {
        "inactive": "#cfd8dc", "interested": "#90caf9", "active": "#1e88e5", "champion": "#0d47a1"
    }  # fmt: skip


def test_score_definition_text_from_the_constants():
    assert i18n.DEFINITIONS["tiers"]["de"] == (
        "Score v1: Punkte je Handlung (Kommunikation 1, Newsletter-Klicks max. 5 je Monat; Erleben 3; "
        "Ehrenamt 7; Spende 5), über 36 Monate mit 0,5^(k/12) gewichtet. Stufen: inaktiv 0, interessiert < 3, "
        "aktiv < 10, Champion ≥ 10."
    )
    assert i18n.DEFINITIONS["tiers"]["en"] == (
        "Score v1: points per act (communication 1, newsletter clicks at most 5 a month; experiential 3; "
        "volunteer 7; philanthropic 5), weighted 0.5^(k/12) over 36 months. Tiers: inactive 0, interested < 3, "
        "active < 10, champion ≥ 10."
    )


def test_a_changed_constant_reaches_the_text(monkeypatch):
    rows = [dict(row) for row in seeds.seed("engagement_scoring")]
    for row in rows:
        if row["setting"] == "tier_from" and row["applies_to"] == "active":
            row["value"] = "2.5"
    monkeypatch.setattr(seeds, "seed", lambda name: tuple(rows))
    text = i18n._tiers_definition()
    assert "interessiert < 2,5, aktiv < 10" in text["de"]
    assert "interested < 2.5, active < 10" in text["en"]


def test_unknown_setting_is_an_error():
    import pytest

    with pytest.raises(KeyError):
        seeds.scoring("no_such_setting")
