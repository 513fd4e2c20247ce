"""Sign-in for the dashboard: OpenID Connect settings, Streamlit's [auth] secrets, roles.csv, the access log.

Configured by the environment (CONTRACTS.md §1): ALUMNI_OIDC_SERVER_METADATA_URL, ALUMNI_OIDC_CLIENT_ID,
ALUMNI_OIDC_CLIENT_SECRET and ALUMNI_PUBLIC_URL. `alumni dashboard` writes Streamlit's `[auth]` section into
`D/secrets/streamlit_auth.toml` (mode 0600) and starts Streamlit with `--secrets.files` on it; the cookie
secret is ALUMNI_COOKIE_SECRET or one generated once in `D/secrets/cookie_secret`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from pipelines.settings import DataDir

ENV = {
    "server_metadata_url": "ALUMNI_OIDC_SERVER_METADATA_URL",
    "client_id": "ALUMNI_OIDC_CLIENT_ID",
    "client_secret": "ALUMNI_OIDC_CLIENT_SECRET",
    "public_url": "ALUMNI_PUBLIC_URL",
}
COOKIE_ENV = "ALUMNI_COOKIE_SECRET"
CONTACT_ENV = "ALUMNI_ACCESS_CONTACT"
ROLES_HEADER = ["E-Mail", "Rolle", "Bereich"]


class ConfigError(ValueError):
    pass


def oidc_config(environ: dict | None = None) -> dict[str, str] | None:
    """The sign-in settings, or None when none is set; a partial setting is an error naming what is missing."""
    environ = os.environ if environ is None else environ
    values = {name: environ.get(var, "").strip() for name, var in ENV.items()}
    if not any(values.values()):
        return None
    missing = [ENV[name] for name, value in values.items() if not value]
    if missing:
        raise ConfigError(f"sign-in is only partly configured: set {', '.join(missing)} as well")
    if not values["public_url"].startswith(("http://", "https://")):
        raise ConfigError(f"{ENV['public_url']} must be the dashboard's URL, e.g. https://alumni.example.org")
    return values


def signin_configured() -> bool:
    try:
        return oidc_config() is not None
    except ConfigError:
        return True  # never fall back to local mode on a broken configuration


def redirect_uri(public_url: str) -> str:
    return public_url.rstrip("/") + "/oauth2callback"


def _write_private(path: Path, text: str, exclusive: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def cookie_secret(data_dir: DataDir) -> str:
    value = os.environ.get(COOKIE_ENV, "").strip()
    if value:
        return value
    path = data_dir.secrets / "cookie_secret"
    if not path.exists():
        _write_private(path, secrets.token_hex(32), exclusive=True)
    return path.read_text(encoding="utf-8").strip()


def write_secrets(data_dir: DataDir, config: dict[str, str]) -> Path:
    """Streamlit's [auth] section for st.login, in a 0600 file under D/secrets/ (never in the repository)."""
    settings = {
        "redirect_uri": redirect_uri(config["public_url"]),
        "cookie_secret": cookie_secret(data_dir),
        "client_id": config["client_id"],
        "client_secret": config["client_secret"],
        "server_metadata_url": config["server_metadata_url"],
    }
    # JSON strings are valid TOML basic strings (same escapes for quotes, backslashes, control characters)
    body = "[auth]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())
    path = data_dir.secrets / "streamlit_auth.toml"
    _write_private(path, body)
    return path


# ------------------------------------------------------------------------------------------------ roles


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


def roles_path(data_dir: DataDir | None = None) -> Path:
    return (data_dir or DataDir.resolve()).root / "config" / "roles.csv"


def read_roles(path: Path) -> list[tuple[str, str, str]]:
    """(email, role, area) rows of roles.csv; `;`-separated, UTF-8 (with or without BOM), header E-Mail;Rolle;Bereich.

    Unknown roles and rows without the area their role needs are left out (they grant nothing).
    """
    from dashboard.scope import ROLES

    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    try:
        at = [header.index(name.lower()) for name in ROLES_HEADER[:2]]
    except ValueError:
        return []
    area_at = header.index("bereich") if "bereich" in header else None
    out = []
    for row in rows[1:]:
        if len(row) <= max(at):
            continue
        email, role = normalise_email(row[at[0]]), row[at[1]].strip().lower()
        area = row[area_at].strip() if area_at is not None and area_at < len(row) else ""
        if not email or role not in ROLES:
            continue
        if role in ("faculty_officer", "ambassador") and not area:
            continue
        out.append((email, role, area))
    return out


def unconfirmed(claims: Mapping[str, object]) -> bool:
    """Whether the identity provider says it has not confirmed the reader's address: an `email_verified` claim
    that is there and not true (some providers send it as text). Such an address grants nothing: at a provider
    where anyone may register (Keycloak with self-registration, a social login), it may be somebody else's.
    Without the claim the address counts as the provider's own (Shibboleth's `mail`, Entra ID do not send it)."""
    verified = claims.get("email_verified")
    if verified is None:
        return False
    return not (verified is True or (isinstance(verified, str) and verified.strip().lower() == "true"))


def roles_email(claims: Mapping[str, object]) -> str:
    """The address that roles.csv is matched on: the `email` claim, or none where it is unconfirmed."""
    email = claims.get("email")
    return "" if unconfirmed(claims) or not isinstance(email, str) else email


def grants_for(email: str | None, data_dir: DataDir | None = None) -> list[tuple[str, str]]:
    wanted = normalise_email(email)
    if not wanted:
        return []
    return [(role, area) for who, role, area in read_roles(roles_path(data_dir)) if who == wanted]


def contacts(data_dir: DataDir | None = None) -> list[str]:
    """Whom an unlisted reader should ask: ALUMNI_ACCESS_CONTACT, else the coordinators in roles.csv."""
    configured = os.environ.get(CONTACT_ENV, "").strip()
    if configured:
        return [configured]
    return sorted({who for who, role, _ in read_roles(roles_path(data_dir)) if role == "coordinator"})


# ------------------------------------------------------------------------------------------- access log


def user_hash(email: str | None, data_dir: DataDir | None = None) -> str:
    """A keyed hash of the reader (the project's pseudonym key; its own prefix, so it never equals alumni_key)."""
    from pipelines.ingest.privacy import keyed_hash, load_key

    data_dir = data_dir or DataDir.resolve()
    return keyed_hash(load_key(data_dir.secrets), "dashboard-user:" + normalise_email(email))[:16]


def log_access(event: str, email: str | None, role: str, data_dir: DataDir | None = None) -> None:
    """One line per sign-in or sign-out in D/logs/access.log: time, event, keyed hash of the user, role."""
    data_dir = data_dir or DataDir.resolve()
    path = data_dir.root / "logs" / "access.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{stamp}\t{event}\tuser={user_hash(email, data_dir)}\trole={role}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line)
