"""What a reader may see: pages, and the rows behind every figure (CONTRACTS.md §1 "Sign-in and roles").

A `Scope` is built from the reader's rows in `D/config/roles.csv` (several rows add up) or, without sign-in
configured, is everything (local mode on a loopback address). `dashboard/data.py` applies it where the data is
read: member figures are restricted to the scope's faculties, club figures to its clubs, and a figure that
needs a right the scope lacks comes back empty. Pages are hidden as well, but hiding is not the protection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("coordinator", "rectorate", "faculty_officer", "ambassador")
PAGES = ("strategie", "netzwerk", "engagement", "clubs", "datenqualitaet")
ROLE_PAGES = {
    "coordinator": set(PAGES),
    "rectorate": {"strategie", "netzwerk", "engagement", "clubs"},
    "faculty_officer": {"strategie", "netzwerk", "engagement", "clubs"},
    "ambassador": {"clubs"},
}

# Figures with no faculty (campaigns, events, KPIs, clubs, ...): a faculty officer sees them marked as
# university-wide. Keys are the names pages give chart() and download().
UNIVERSITY_WIDE = {
    "aem_by_mode",
    "campaigns",
    "event_attendance",
    "event_no_shows",
    "event_first_timers",
    "event_speakers",
    "clubs_by_country",
    "ambassador_outputs",
    "clubs",
}


@dataclass(frozen=True)
class Scope:
    """`faculties` / `clubs`: None = all, otherwise only these (an empty set = none)."""

    roles: tuple[str, ...]
    pages: frozenset[str]
    faculties: frozenset[str] | None
    clubs: frozenset[str] | None
    local: bool = False

    @property
    def university(self) -> bool:
        """May see figures that have no faculty (KPIs, campaigns, events): every role with the member pages."""
        return bool(self.pages & {"strategie", "netzwerk", "engagement"})

    @property
    def members(self) -> bool:
        """May see member figures at all (restricted to `faculties` where that is not None)."""
        return self.faculties is None or bool(self.faculties)

    @property
    def quality(self) -> bool:
        return "datenqualitaet" in self.pages

    @property
    def faculty_restricted(self) -> bool:
        return self.faculties is not None and bool(self.faculties)

    @property
    def label(self) -> str:
        return ", ".join(self.roles) if self.roles else "none"


EVERYTHING = Scope(roles=("local",), pages=frozenset(PAGES), faculties=None, clubs=None, local=True)
NOTHING = Scope(roles=(), pages=frozenset(), faculties=frozenset(), clubs=frozenset())


def from_grants(grants: Iterable[tuple[str, str]]) -> Scope:
    """A scope from (role, area) pairs: pages add up, and so do faculties and clubs."""
    grants = [(role, area) for role, area in grants if role in ROLES]
    if not grants:
        return NOTHING
    roles = tuple(sorted({role for role, _ in grants}, key=ROLES.index))
    pages: set[str] = set()
    for role in roles:
        pages |= ROLE_PAGES[role]
    unrestricted = bool({"coordinator", "rectorate"} & set(roles))
    faculties = None if unrestricted else frozenset(a for r, a in grants if r == "faculty_officer")
    # a faculty officer sees every club (club figures have no faculty: marked university-wide)
    all_clubs = unrestricted or "faculty_officer" in roles
    clubs = None if all_clubs else frozenset(a for r, a in grants if r == "ambassador")
    return Scope(roles=roles, pages=frozenset(pages), faculties=faculties, clubs=clubs)


def current() -> Scope:
    """The scope of this Streamlit session's reader (everything in local mode)."""
    from dashboard import auth

    if not auth.signin_configured():
        return EVERYTHING
    import streamlit as st

    if not st.user.get("is_logged_in", False):
        return NOTHING
    return from_grants(auth.grants_for(auth.roles_email(st.user.to_dict())))
