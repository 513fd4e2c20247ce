"""The dashboard's door: local-mode label, sign-in and sign-out, the "whom to ask" page, access logging."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, scope
from dashboard.i18n import lang

TEXT = {
    "local_mode": {
        "de": "Lokaler Modus: ohne Anmeldung, nur auf diesem Rechner erreichbar",
        "en": "Local mode: no sign-in, reachable from this computer only",
    },
    "signin_title": {"de": "Anmeldung", "en": "Sign in"},
    "signin_body": {
        "de": "Das Dashboard zeigt Zahlen des Alumni-Netzwerks nur angemeldeten Personen mit Freigabe.",
        "en": "The dashboard shows the alumni network's figures to signed-in readers with access only.",
    },
    "signin": {"de": "Mit Hochschulkonto anmelden", "en": "Sign in with your university account"},
    "signout": {"de": "Abmelden", "en": "Sign out"},
    "signed_in_as": {"de": "Angemeldet als", "en": "Signed in as"},
    "role": {"de": "Rolle", "en": "Role"},
    "no_access_title": {"de": "Keine Freigabe", "en": "No access yet"},
    "no_access_body": {
        "de": "Sie sind angemeldet, für Ihr Konto ist aber keine Rolle eingetragen. Bitte wenden Sie sich an:",
        "en": "You are signed in, but your account has no role. Please ask:",
    },
    "unconfirmed_body": {
        "de": "Sie sind angemeldet, aber Ihr Identitätsanbieter hat Ihre E-Mail-Adresse nicht bestätigt. Ohne "
        "bestätigte Adresse gilt keine Freigabe. Bitte bestätigen Sie die Adresse dort oder wenden Sie sich an:",
        "en": "You are signed in, but your identity provider has not confirmed your e-mail address. Without a "
        "confirmed address no access applies. Please confirm it there or ask:",
    },
    "no_contact": {
        "de": "die Koordination des Alumni-Netzwerks (Datei config/roles.csv)",
        "en": "the alumni network's coordinator (file config/roles.csv)",
    },
    "faculty_scope": {
        "de": "Alle Zahlen zu Mitgliedern beziehen sich auf die Fakultät {areas}. Zahlen ohne Fakultätsbezug "
        "sind als „hochschulweit“ gekennzeichnet.",
        "en": "All member figures refer to faculty {areas}. Figures without a faculty are marked "
        "“university-wide”.",
    },
    "club_scope": {"de": "Club: {areas}", "en": "Club: {areas}"},
    "university_wide": {
        "de": "Hochschulweit: diese Zahl hat keinen Fakultätsbezug.",
        "en": "University-wide: this figure has no faculty.",
    },
    "role_coordinator": {"de": "Koordination", "en": "Coordinator"},
    "role_rectorate": {"de": "Rektorat", "en": "Rectorate"},
    "role_faculty_officer": {"de": "Fakultät", "en": "Faculty officer"},
    "role_ambassador": {"de": "Botschafter/in", "en": "Ambassador"},
}


def tr(key: str) -> str:
    return TEXT[key][lang()]


def university_wide_note(name: str | None = None) -> None:
    """Under a figure that has no faculty, for a reader restricted to a faculty."""
    current = scope.current()
    if current.faculty_restricted and (name is None or name in scope.UNIVERSITY_WIDE):
        st.caption(f"🏛 {tr('university_wide')}")


def _reader(email: str) -> str:
    """Whom the sign-in markers are kept for: the provider's subject (two accounts may claim one address)."""
    return f"{st.user.to_dict().get('sub', '')}|{auth.normalise_email(email)}|"


def _log_once(event: str, email: str, role: str) -> None:
    """Sign-in is logged once per sign-in (the ID token's issue time), not once per page load or tab."""
    claims = st.user.to_dict()
    marker = f"{_reader(email)}{claims.get('iat', '')}|{claims.get('sid', '')}"
    seen = _seen_sign_ins()
    if marker in seen:
        return
    seen.add(marker)
    auth.log_access(event, email, role)


@st.cache_resource
def _seen_sign_ins() -> set[str]:
    return set()


def gate() -> scope.Scope:
    """The reader's scope; stops the script with the sign-in or "whom to ask" page where there is nothing to show."""
    if not auth.signin_configured():
        st.sidebar.caption(f"🔓 {tr('local_mode')}")
        return scope.EVERYTHING
    if not st.user.get("is_logged_in", False):
        st.title(tr("signin_title"))
        st.write(tr("signin_body"))
        if st.button(tr("signin"), type="primary", key="signin"):
            st.login()
        st.stop()
    email = st.user.get("email") or ""
    current = scope.current()
    # an address the provider has not confirmed is logged as such, not as the role's holder it claims to be
    role = "unconfirmed" if auth.unconfirmed(st.user.to_dict()) else current.label
    _log_once("sign-in", email, role)
    with st.sidebar:
        roles = ", ".join(tr(f"role_{r}") for r in current.roles) or "–"
        st.caption(f"{tr('signed_in_as')} {email}  \n{tr('role')}: {roles}")
        if current.faculty_restricted:
            st.caption(tr("faculty_scope").format(areas=", ".join(sorted(current.faculties or []))))
        if current.clubs:
            st.caption(tr("club_scope").format(areas=", ".join(sorted(current.clubs))))
        if st.button(tr("signout"), key="signout"):
            auth.log_access("sign-out", email, role)
            user = _reader(email)
            for marker in [m for m in _seen_sign_ins() if m.startswith(user)]:
                _seen_sign_ins().discard(marker)  # the next sign-in is logged again
            st.logout()
    if not current.pages:
        st.title(tr("no_access_title"))
        st.write(tr("unconfirmed_body" if auth.unconfirmed(st.user.to_dict()) else "no_access_body"))
        for contact in auth.contacts() or [tr("no_contact")]:
            st.markdown(f"- {contact}")
        st.stop()
    return current
