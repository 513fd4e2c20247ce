"""The simulated alumni network: people, their addresses, moves, departures, consents, clubs and erasures.

Members are parallel numpy arrays (index = member number - 1), so that `--scale 10` stays fast and small. The
network is drawn to the horizon, not to `until` (see `horizon`); the sources (`pipelines/demo/sources/`) then
read it to write the office's exports. `request_erasures` and `found_clubs` change the drawn network: who asks
to be forgotten, and who founds and joins a club.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo import reference as ref
from pipelines.demo.formats import from_ordinal, ordinal

if TYPE_CHECKING:
    from pipelines.demo.generator import GenerateConfig

HISTORY_START = date(2012, 1, 1)
NEVER = 10**7  # an ordinal day far in the future


def horizon(until: date) -> date:
    """The end of the simulated world: 31 December of the year after `until`'s year.

    Everything is simulated to the horizon and the exports are cut at `until`, so two runs whose `until` share a
    horizon describe one world: the later run's exports extend the earlier one's (one more month of activity).
    """
    return date(until.year + 1, 12, 31)


def ascii_fold(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue").replace("ı", "i").replace("'", "")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "")


class Network:
    """Members as parallel numpy arrays (index = member number - 1), plus a few Python lists of strings."""

    def __init__(self, config: GenerateConfig, rng: np.random.Generator) -> None:
        self.config = config
        self.rng = rng
        # The people are simulated to the horizon, not to `until`: what the exports show up to `until` is then
        # the same for every `until` within one horizon (see `horizon`).
        self.horizon = ordinal(horizon(config.until))
        self._people()
        self._addresses()
        self._locations()
        self._departures()
        self._consents()

    # people, registration, status group, faculty
    def _people(self) -> None:
        rng, scale = self.rng, self.config.scale
        start, end = ordinal(HISTORY_START), self.horizon
        n0 = round(3400 * scale)
        reg = [rng.integers(ordinal(date(2006, 1, 1)), start, n0)]
        year = HISTORY_START.year
        while ordinal(date(year, 1, 1)) <= end:
            y0, y1 = ordinal(date(year, 1, 1)), min(ordinal(date(year + 1, 1, 1)), end + 1)
            per_year = 1150 + 25 * (year - 2012)
            n = int(rng.poisson(per_year * scale * (y1 - y0) / 365.25))
            # More registrations in autumn and early winter: graduation ceremonies, farewell of graduates.
            days = y0 + np.minimum((rng.beta(1.3, 1.0, n) * (y1 - y0)).astype(int), y1 - y0 - 1)
            reg.append(days)
            year += 1
        self.registered = np.sort(np.concatenate(reg)).astype(np.int64)
        self.n = n = len(self.registered)
        self.member_ids = [f"A-{i + 1:06d}" for i in range(n)]
        self.propensity = rng.beta(0.9, 3.0, n)
        labels = [s for s, _ in ref.STATUS_GROUPS]
        self.status = rng.choice(len(labels), n, p=[p for _, p in ref.STATUS_GROUPS])
        self.status_labels = labels
        fac_codes = [f for f, _ in ref.FACULTY_SHARES]
        self.faculty = rng.choice(len(fac_codes), n, p=[p for _, p in ref.FACULTY_SHARES])
        self.faculty_codes = fac_codes
        female = rng.random(n) < 0.45
        self.female = female
        fn_f, fn_m, ln = ref.FIRST_NAMES_F, ref.FIRST_NAMES_M, ref.LAST_NAMES
        fi = rng.integers(0, 40, n)
        li = rng.integers(0, len(ln), n)
        self.first = [fn_f[fi[i]] if female[i] else fn_m[fi[i]] for i in range(n)]
        self.last = [ln[li[i]] for i in range(n)]
        ti = rng.integers(0, len(ref.TITLES), n)
        self.title = [ref.TITLES[t] if self.status[i] in (1, 2) or t >= 9 else "" for i, t in enumerate(ti)]
        # Duplicate people: a few register a second time (new member id, same name and address).
        self.duplicate_of = np.full(n, -1)
        dup = np.flatnonzero((rng.random(n) < 0.004) & (np.arange(n) > 200))
        for i in dup:
            j = int(rng.integers(0, i - 100))
            if self.duplicate_of[j] >= 0:
                continue
            self.duplicate_of[i] = j
            self.first[i], self.last[i], self.female[i] = self.first[j], self.last[j], self.female[j]
        # Degree and graduation year by status group.
        self.degree = [""] * n
        self.grad_year = np.zeros(n, dtype=np.int64)
        deg_choice = rng.random(n)
        years = np.array([from_ordinal(int(d)).year for d in self.registered])
        back = rng.integers(0, 12, n)
        for i in range(n):
            s = self.status[i]
            if s == 0:
                self.degree[i] = (
                    "Diplom"
                    if years[i] - back[i] < 2008 and deg_choice[i] < 0.6
                    else "Magister"
                    if deg_choice[i] < 0.04
                    else "Staatsexamen"
                    if deg_choice[i] < 0.08
                    else "Bachelor"
                    if deg_choice[i] < 0.5
                    else "Master"
                )
                self.grad_year[i] = years[i] - (back[i] % 3)
            elif s == 1:
                self.degree[i], self.grad_year[i] = "Promotion", years[i] - (back[i] % 4)
            elif s == 2:
                self.degree[i] = "Habilitation" if deg_choice[i] < 0.6 else "Promotion"
                self.grad_year[i] = years[i] - 10 - back[i]
        prog_choice = rng.integers(0, 4, n)
        self.programme = [
            ref.PROGRAMMES[fac_codes[self.faculty[i]]][
                prog_choice[i] % len(ref.PROGRAMMES[fac_codes[self.faculty[i]]])
            ]
            if self.degree[i] and fac_codes[self.faculty[i]] in ref.PROGRAMMES
            else ""
            for i in range(n)
        ]

    def _addresses(self) -> None:
        """Up to three addresses a member: an initial one and later changes (job, marriage, provider)."""
        rng, n = self.rng, self.n
        self.emails: list[str] = []
        self.email_slots = np.full((n, 3), -1, dtype=np.int64)
        self.email_from = np.full((n, 3), NEVER, dtype=np.int64)
        self.scanner = np.zeros(n, dtype=bool)
        dom = rng.integers(0, len(ref.MAIL_DOMAINS), (n, 3))
        variant = rng.integers(0, 6, (n, 3))
        corporate = rng.random(n) < 0.02
        changes = rng.choice(3, n, p=[0.72, 0.22, 0.06])
        for i in range(n):
            j = self.duplicate_of[i]
            if j >= 0:  # a second registration with the address the person had then
                slot_j = int(np.searchsorted(self.email_from[j], self.registered[i], side="right")) - 1
                self._set_email(i, 0, self.emails[self.email_slots[j, max(slot_j, 0)]], self.registered[i])
                continue
            first, last = ascii_fold(self.first[i]).lower(), ascii_fold(self.last[i]).lower()
            for slot in range(1 + changes[i]):
                v = variant[i, slot]
                local = [
                    f"{first}.{last}",
                    f"{first[0]}.{last}",
                    f"{first}{last}",
                    f"{last}.{first}",
                    f"{first}.{last}{i % 97}",
                    f"{first[:3]}{last[:5]}{i % 1000}",
                ][v]
                if slot == 0 and corporate[i]:
                    domain = ref.SCANNER_DOMAINS[i % len(ref.SCANNER_DOMAINS)]
                    self.scanner[i] = True
                else:
                    domain = ref.MAIL_DOMAINS[dom[i, slot]]
                address = f"{local}@{domain}"
                if slot > 0 and address in (self.emails[s] for s in self.email_slots[i, :slot]):
                    address = f"{local}.{slot}@{domain}"
                since = self.registered[i] if slot == 0 else None
                if since is None:
                    span = max(self.horizon - self.email_from[i, slot - 1], 60)
                    since = self.email_from[i, slot - 1] + 30 + int(rng.integers(0, span))
                    if since > self.horizon:
                        break
                self._set_email(i, slot, address, since)
            # a corporate address is left behind when the job changes
            if self.scanner[i] and self.email_from[i, 1] < NEVER:
                self.scanner[i] = False

    def _set_email(self, i: int, slot: int, address: str, since: int) -> None:
        self.email_slots[i, slot] = len(self.emails)
        self.email_from[i, slot] = since
        self.emails.append(address)

    def email_index_at(self, members: np.ndarray, day: int) -> np.ndarray:
        slot = (self.email_from[members, 1] <= day).astype(np.int64) + (self.email_from[members, 2] <= day)
        return self.email_slots[members, slot]

    def _locations(self) -> None:
        rng, n = self.rng, self.n
        countries = ref.countries()
        saxony = [m for m in ref.saxon_municipalities() if m != "Chemnitz"]
        abroad = [c for c in countries if c != "DE"]
        weights = np.array([ref.ABROAD_WEIGHTS.get(c, 1) for c in abroad], dtype=float)
        weights /= weights.sum()
        self.cities: list[tuple[str, str]] = []  # (city, country code)
        city_index: dict[tuple[str, str], int] = {}

        def city_id(city: str, country: str) -> int:
            key = (city, country)
            if key not in city_index:
                city_index[key] = len(self.cities)
                self.cities.append(key)
            return city_index[key]

        def draw(k: int) -> np.ndarray:
            region = rng.choice(4, k, p=[0.34, 0.21, 0.29, 0.16])
            sx = rng.integers(0, len(saxony), k)
            de = rng.integers(0, len(ref.GERMAN_CITIES), k)
            ab = rng.choice(len(abroad), k, p=weights)
            ab_city = rng.integers(0, 4, k)
            out = np.empty(k, dtype=np.int64)
            for idx in range(k):
                r = region[idx]
                if r == 0:
                    out[idx] = city_id("Chemnitz", "DE")
                elif r == 1:
                    out[idx] = city_id(saxony[sx[idx]], "DE")
                elif r == 2:
                    out[idx] = city_id(ref.GERMAN_CITIES[de[idx]], "DE")
                else:
                    code = abroad[ab[idx]]
                    options = ref.CITIES_ABROAD.get(code) or [countries[code]["name_de"] + " (Hauptstadt)"]
                    out[idx] = city_id(options[ab_city[idx] % len(options)], code)
            return out

        self.city_a = draw(n)
        self.city_b = draw(n)
        move = rng.random(n) < 0.15
        self.move_on = np.where(move, self.registered + 60 + rng.integers(0, 4000, n), NEVER).astype(np.int64)
        self.city_id = city_id
        for i in np.flatnonzero(self.duplicate_of >= 0):
            self.city_a[i] = self.city_a[self.duplicate_of[i]]

    def city_at(self, members: np.ndarray, day: int) -> np.ndarray:
        return np.where(self.move_on[members] <= day, self.city_b[members], self.city_a[members])

    def _departures(self) -> None:
        rng, n = self.rng, self.n
        hazard = 0.022 * (1.4 - self.propensity)  # per year: the engaged stay
        years = rng.exponential(1.0 / hazard)
        leave = self.registered + (years * 365.25).astype(np.int64)
        self.left = np.where(leave <= self.horizon, leave, NEVER)
        # abgemeldet: the portal records the leaving date; vanish: the record simply disappears
        self.left_mode = np.where(rng.random(n) < 0.6, 1, 2)
        rejoin = (self.left_mode == 2) & (rng.random(n) < 0.12)
        self.rejoin = np.where(rejoin, self.left + 200 + rng.integers(0, 500, n), NEVER)
        self.rejoin = np.where(self.rejoin <= self.horizon, self.rejoin, NEVER)
        self.erased_on = np.full(n, NEVER, dtype=np.int64)

    def _consents(self) -> None:
        rng, n = self.rng, self.n
        self.newsletter = rng.random(n) < 0.62
        self.tracking = np.where(self.newsletter, rng.random(n) < 0.62, rng.random(n) < 0.15)
        self.contact = rng.random(n) < 0.45 + 0.3 * self.propensity
        self.unsubscribed = np.full(n, NEVER, dtype=np.int64)
        self.apple = rng.random(n) < 0.35
        self.club = np.full(n, -1, dtype=np.int64)
        self.club_join = np.full(n, NEVER, dtype=np.int64)
        self.status_override: dict[int, str] = {}

    def is_member_on(self, members: np.ndarray, day: int) -> np.ndarray:
        active = (self.registered[members] <= day) & (
            (self.left[members] > day) | (self.rejoin[members] <= day)
        )
        return active & (self.erased_on[members] > day)

    def engagement(self, members: np.ndarray, day: int) -> np.ndarray:
        """Engagement fades with the years since joining; the engaged fade more slowly."""
        age = np.maximum(day - self.registered[members], 0) / 365.25
        fade = 0.35 + 0.65 * np.exp(-age / (4.0 + 10.0 * self.propensity[members]))
        return self.propensity[members] * fade


def request_erasures(net: Network, rng: np.random.Generator, scale: float) -> list[tuple[int, int]]:
    """A few members ask to be forgotten from 2019 on: (member, day of the request), in member order.

    Drawn before the clubs, which must not pick a person who leaves this way as ambassador.
    """
    first = ordinal(date(2019, 1, 1))
    if net.horizon <= first + 60:
        return []
    k = max(2, round(6 * scale))
    candidates = np.flatnonzero((net.registered < first - 365) & (net.duplicate_of < 0))
    chosen = rng.choice(candidates, size=min(k, len(candidates)), replace=False)
    requests = []
    for i in sorted(chosen):
        requested = int(rng.integers(first, net.horizon - 30))
        net.erased_on[i] = requested
        net.unsubscribed[i] = min(net.unsubscribed[i], requested)
        requests.append((int(i), requested))
    return requests


def found_clubs(net: Network, rng: np.random.Generator, scale: float) -> list[dict]:
    """Clubs founded from 2017 on, each with an engaged ambassador (moved to the club's city if needed) and the
    members of that city who join over time; some clubs fall asleep, some dissolve."""
    clubs: list[dict] = []
    founding_start = date(2017, 3, 1)
    if from_ordinal(net.horizon) < founding_start:
        return clubs
    n_years = from_ordinal(net.horizon).year - 2017 + 1
    count = 0
    for k in range(n_years):
        year = 2017 + k
        new = max(1, round(4 * scale))
        for _ in range(new):
            if count >= len(ref.CLUB_CITIES) * max(1, math.ceil(scale)):
                break
            city, country = ref.CLUB_CITIES[count % len(ref.CLUB_CITIES)]
            suffix = "" if count < len(ref.CLUB_CITIES) else f" {count // len(ref.CLUB_CITIES) + 1}"
            founded = ordinal(date(year, 1, 1)) + int(rng.integers(30, 330))
            if founded > net.horizon - 30:
                continue
            club = {
                "id": f"C-{count + 1:03d}",
                "name": f"Alumni-Club {city}{suffix}",
                "city": city,
                "country": country,
                "founded": founded,
                "vigor": float(rng.uniform(0.4, 1.6)),
                "sleeps_on": NEVER,
                "dissolved_on": NEVER,
            }
            if rng.random() < 0.15:  # some clubs fall asleep a few years after founding
                club["sleeps_on"] = founded + int(rng.integers(700, 1800))
                if rng.random() < 0.4:
                    club["dissolved_on"] = club["sleeps_on"] + int(rng.integers(200, 500))
            city_idx = net.city_id(city, country)
            # ambassador: an engaged member, moved to the club's city if needed
            pool = np.flatnonzero(
                (net.registered < founded - 200)
                & (net.left > net.horizon)
                & (net.erased_on >= NEVER)
                & (net.club < 0)
                & (net.duplicate_of < 0)
            )
            weights = net.propensity[pool] ** 3
            amb = int(rng.choice(pool, p=weights / weights.sum()))
            net.city_a[amb] = city_idx
            net.move_on[amb] = NEVER
            net.contact[amb] = True
            club["ambassador"] = amb
            net.club[amb], net.club_join[amb] = count, founded
            # members: people in that city join over time
            here = np.flatnonzero(((net.city_a == city_idx) | (net.city_b == city_idx)) & (net.club < 0))
            joins = here[rng.random(len(here)) < 0.25 + 0.5 * net.propensity[here]]
            net.club[joins] = count
            net.club_join[joins] = np.maximum(net.registered[joins], founded) + rng.integers(
                0, 900, len(joins)
            )
            clubs.append(club)
            count += 1
    return clubs
