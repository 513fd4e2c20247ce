"""Reference lists for the demo network.

Countries and Saxon municipalities come from the dbt seeds, so the generator and the warehouse agree on them.
Everything else here is only flavour for the demo: names, cities abroad, topics.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


@cache
def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def countries() -> dict[str, dict[str, str]]:
    return {row["country_code"]: row for row in seed("countries")}


def saxon_municipalities() -> list[str]:
    return [row["municipality"] for row in seed("saxon_municipalities")]


FIRST_NAMES_F = [
    "Anna", "Maria", "Julia", "Katrin", "Sabine", "Susanne", "Claudia", "Stefanie", "Jana", "Franziska",
    "Christin", "Anja", "Sandra", "Nicole", "Kerstin", "Ulrike", "Doreen", "Mandy", "Peggy", "Jördis",
    "Lea", "Sophie", "Hannah", "Lena", "Johanna", "Charlotte", "Marie", "Luise", "Frauke", "Gülay",
    "Ayşe", "Olga", "Svetlana", "Elena", "Priya", "Mei", "Lan", "Fatima", "Ana", "Chloé",
]
FIRST_NAMES_M = [
    "Thomas", "Michael", "Andreas", "Stefan", "Frank", "Jens", "Uwe", "Matthias", "Sebastian", "Tobias",
    "Martin", "Christian", "Daniel", "Alexander", "René", "Sören", "Jörg", "Björn", "Lukas", "Felix",
    "Paul", "Maximilian", "Jonas", "Tim", "Moritz", "Konrad", "Heiko", "Torsten", "Dirk", "Jürgen",
    "Mehmet", "Dmitri", "Ivan", "Raj", "Wei", "Minh", "Ahmed", "Carlos", "José", "François",
]
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
    "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
    "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert",
    "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz",
    "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin",
    "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich",
    "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl",
    "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer",
    "Uhlig", "Ebert", "Lößner", "Böttger", "Gläser", "Nguyen", "Yılmaz", "Kowalski", "Novák", "Ivanova",
    "Petrov", "Wang", "Li", "Zhang", "Sharma", "Patel", "García", "Rossi", "Dubois", "O'Brien",
]
TITLES = ["", "", "", "", "", "", "", "Dr.", "Dr.", "Prof. Dr.", "Dipl.-Ing.", "Dr.-Ing."]
MAIL_DOMAINS = [
    "gmx.de", "web.de", "t-online.de", "gmail.com", "outlook.com", "posteo.de", "freenet.de", "yahoo.de",
    "icloud.com", "mailbox.org", "gmx.net", "hotmail.com",
]
# Employer domains whose mail gateways scan links (and so click them within a second of delivery).
SCANNER_DOMAINS = ["siemens.example", "vw-group.example", "bosch.example", "infineon.example", "bmw.example"]

GERMAN_CITIES = [
    "Berlin", "München", "Hamburg", "Frankfurt am Main", "Stuttgart", "Köln", "Nürnberg", "Düsseldorf",
    "Hannover", "Erfurt", "Jena", "Halle (Saale)", "Magdeburg", "Gera", "Karlsruhe", "Wolfsburg",
    "Ingolstadt", "Regensburg", "Braunschweig", "Potsdam",
]
# A few cities abroad per country; other countries use their capital only.
CITIES_ABROAD = {
    "AT": ["Wien", "Graz", "Linz"], "CH": ["Zürich", "Basel", "Bern"], "PL": ["Warschau", "Breslau"],
    "CZ": ["Prag", "Brünn", "Liberec"], "FR": ["Paris", "Lyon"], "NL": ["Amsterdam", "Eindhoven"],
    "GB": ["London", "Manchester"], "US": ["New York", "San Francisco", "Detroit", "Boston"],
    "CN": ["Peking", "Shanghai", "Shenzhen"], "IN": ["Delhi", "Bangalore", "Pune"],
    "VN": ["Hanoi", "Ho-Chi-Minh-Stadt"], "RU": ["Moskau", "Sankt Petersburg"], "ES": ["Madrid", "Barcelona"],
    "IT": ["Mailand", "Rom"], "SE": ["Stockholm"], "KR": ["Seoul"], "JP": ["Tokio"], "BR": ["São Paulo"],
    "TR": ["Istanbul"], "EG": ["Kairo"], "CA": ["Toronto"], "AU": ["Sydney"], "MX": ["Mexiko-Stadt"],
    "UA": ["Kiew"], "IR": ["Teheran"], "PK": ["Lahore"], "ID": ["Jakarta"], "SG": ["Singapur"],
}
# Relative weight of each foreign country among members abroad (others get weight 1).
ABROAD_WEIGHTS = {
    "CN": 14, "IN": 10, "AT": 8, "CH": 8, "US": 7, "PL": 6, "CZ": 6, "VN": 6, "RU": 5, "GB": 4, "FR": 3,
    "NL": 3, "ES": 3, "IT": 3, "TR": 3, "IR": 3, "PK": 3, "EG": 2, "KR": 2, "BR": 2, "MX": 2, "UA": 2,
    "ID": 2, "SE": 2,
}

STATUS_GROUPS = [  # label as exported, share of registrations
    ("Absolvent/in", 0.68), ("Promovierte/r", 0.10), ("Professor/in", 0.03), ("Mitarbeiter/in", 0.09),
    ("ehemalige/r Studierende/r", 0.07), ("Freund/in", 0.03),
]
FACULTY_SHARES = [
    ("MB", 0.19), ("ETIT", 0.13), ("WIWI", 0.16), ("INF", 0.11), ("PHIL", 0.14), ("NAT", 0.09),
    ("MATH", 0.05), ("HSW", 0.09), ("URZ", 0.01), ("UB", 0.01), ("ZLB", 0.01), ("ZV", 0.01),
]
PROGRAMMES = {
    "MB": ["Maschinenbau", "Mikrotechnik/Mechatronik", "Produktion und Logistik"],
    "ETIT": ["Elektrotechnik", "Informations- und Kommunikationstechnik", "Automobilelektronik"],
    "WIWI": ["Betriebswirtschaftslehre", "Wirtschaftsinformatik", "Wirtschaftsingenieurwesen"],
    "INF": ["Informatik", "Angewandte Informatik", "Data Science"],
    "PHIL": ["Germanistik", "Geschichte", "Europa-Studien", "Medienkommunikation"],
    "NAT": ["Physik", "Chemie", "Nanotechnologie"],
    "MATH": ["Mathematik", "Wirtschaftsmathematik"],
    "HSW": ["Psychologie", "Pädagogik", "Sportwissenschaft", "Soziologie"],
}
DEGREES = ["Bachelor", "Master", "Diplom", "Magister", "Staatsexamen", "Promotion", "Habilitation"]

TOPICS = [  # newsletter topic, share of campaigns, click appeal
    ("Neuigkeiten", 0.35, 1.0), ("Weiterbildung", 0.15, 1.3), ("Karriere", 0.15, 1.5),
    ("Veranstaltung", 0.20, 1.2), ("Forschung", 0.10, 0.8), ("Spenden", 0.05, 0.6),
]
HUMAN_USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Thunderbird/115.5.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
]
APPLE_PROXY_UA = "Mozilla/5.0"

CLUB_CITIES = [  # (city, country) in founding order; the first ones are the oldest clubs
    ("Berlin", "DE"), ("München", "DE"), ("Dresden", "DE"), ("Shanghai", "CN"), ("Leipzig", "DE"),
    ("Hamburg", "DE"), ("Wien", "AT"), ("Stuttgart", "DE"), ("Zürich", "CH"), ("Frankfurt am Main", "DE"),
    ("Prag", "CZ"), ("New York", "US"), ("Delhi", "IN"), ("Hanoi", "VN"), ("Zwickau", "DE"), ("Köln", "DE"),
    ("Warschau", "PL"), ("London", "GB"), ("Peking", "CN"), ("Moskau", "RU"), ("Nürnberg", "DE"),
    ("Bangalore", "IN"), ("Paris", "FR"), ("Istanbul", "TR"), ("Plauen", "DE"), ("Freiberg", "DE"),
    ("Erfurt", "DE"), ("Hannover", "DE"), ("San Francisco", "US"), ("Seoul", "KR"), ("Kairo", "EG"),
    ("Madrid", "ES"), ("Amsterdam", "NL"), ("Teheran", "IR"), ("São Paulo", "BR"), ("Düsseldorf", "DE"),
    ("Jena", "DE"), ("Toronto", "CA"), ("Stockholm", "SE"), ("Mailand", "IT"),
]
CLUB_ACTIVITIES = [  # activity, expected reports per club and quarter, Anzahl range
    ("Clubtreffen", 0.9, (1, 1)),
    ("Studieninteressierte informiert", 0.45, (4, 60)),
    ("Unternehmenskontakt", 0.35, (1, 3)),
    ("Austauschstudierende betreut", 0.30, (1, 8)),
    ("Sponsor gewonnen", 0.05, (1, 1)),
    ("Kooperationspartner gewonnen", 0.08, (1, 2)),
    ("Sonstiges", 0.15, (1, 1)),
]
CLUB_NOTES = [
    "Stammtisch im Ratskeller, gute Stimmung",
    "Treffen mit {name} zur Planung des nächsten Jahres",
    "Infostand auf der Bildungsmesse",
    "Kontakt zu Personalabteilung hergestellt, Ansprechpartner {name}",
    "Betreuung beim Ankommen, Stadtführung",
    "Besuch im Unternehmen, Rückfragen an {name}",
    "",
    "",
]
EVENT_TITLES = {
    "Alumnitreffen": "Zentrales Alumnitreffen der TU Chemnitz",
    "Ringvorlesung": "Ringvorlesung „Alumni berichten“",
    "Weiterbildung": "Weiterbildung: {topic}",
    "Karriere": "Karriereabend {faculty}",
    "Netzwerk": "Netzwerkabend {city}",
    "Clubtreffen": "Treffen Alumni-Club {city}",
    "Sonstiges": "Campusführung für Ehemalige",
}
FURTHER_EDUCATION_TOPICS = [
    "Projektmanagement", "Führung in der Praxis", "Data Science kompakt", "Wissenschaftliches Schreiben",
    "Agiles Arbeiten", "Nachhaltige Produktion", "KI im Ingenieurwesen",
]
