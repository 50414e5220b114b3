"""What kind of place a name is (a country, a state or province, a city) and which country a
nationality names, from the `countryinfo` data: "Which country ...?" is not answered by a
city, nor "Which city ...?" by a country."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

COUNTRY, PROVINCE, CITY = "country", "province", "city"
# the kind of place each type noun asks for
WANTED = {
    "country": COUNTRY,
    "nation": COUNTRY,
    "state": PROVINCE,
    "province": PROVINCE,
    "city": CITY,
    "town": CITY,
    "capital": CITY,
    "village": CITY,
}

# the last word of a place's name that says it is no city (a known city's is not needed:
# "Kansas City" is as likely a city as any other name not known)
_HEAD_KINDS = {
    "state": PROVINCE,
    "province": PROVINCE,
    "county": "county",
    "district": "district",
    "region": "region",
}


@dataclass(frozen=True)
class Gazetteer:
    countries: frozenset[str]
    provinces: frozenset[str]
    capitals: frozenset[str]
    demonyms: dict[str, str]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Country names and spellings, their provinces and capitals, and demonym -> country (a
    demonym several countries share, like "Chinese", names the most populous)."""
    import countryinfo

    countries: set[str] = set()
    provinces: set[str] = set()
    capitals: set[str] = set()
    best: dict[str, tuple[int, str]] = {}
    for country in countryinfo.all_countries():
        try:
            name = country.name()
            countries |= {name.lower(), *(a.lower() for a in country.alt_spellings() or [])}
            provinces |= {p.lower() for p in country.provinces() or []}
            capitals.add(str(country.capital() or "").lower())
            demonym, population = country.demonym(), int(country.population() or 0)
        except (KeyError, TypeError, ValueError, countryinfo.CountryNotFoundError):
            continue
        if demonym and population > best.get(demonym.lower(), (-1, ""))[0]:
            best[demonym.lower()] = (population, name)
    demonyms = {demonym: name for demonym, (_, name) in best.items()}
    countries -= {""}
    return Gazetteer(
        frozenset(countries), frozenset(provinces - countries), frozenset(capitals), demonyms
    )


def country_of(demonym: str) -> str | None:
    """The country a nationality adjective names ("Syrian" -> "Syria"), if known."""
    return gazetteer().demonyms.get(demonym.strip().lower())


def place_kind(name: str) -> str | None:
    """COUNTRY, PROVINCE or CITY (a capital), or what the name's last word says it is ("Cook
    County", "Upper Nile State"), or None when the name is not known."""
    key = name.strip().lower().removeprefix("the ")
    places = gazetteer()
    if key in places.countries:
        return COUNTRY
    if key in places.provinces:
        return PROVINCE
    if key in places.capitals:
        return CITY
    words = key.split()
    return _HEAD_KINDS.get(words[-1]) if len(words) > 1 else None


def place_fit(name: str, type_noun: str | None) -> float:
    """How well a place name answers "Which <type noun> ...?" (1 when no kind is asked)."""
    wanted = WANTED.get(type_noun or "")
    if wanted is None:
        return 1.0
    kind = place_kind(name)
    if kind == wanted:
        return 1.0
    if wanted == CITY and kind is None:  # most cities are not capitals
        return 0.8
    if wanted == COUNTRY and country_of(name):
        return 0.8
    return 0.3


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Every name, spelling, code and demonym of a country -> its name ("U.S." and "American"
    -> "United States"); codes are kept upper case so that "us" is not the United States."""
    import countryinfo

    names: dict[str, str] = {}
    for country in countryinfo.all_countries():
        try:
            name = country.name()
            spellings = [name, *(country.alt_spellings() or [])]
        except (KeyError, TypeError, ValueError, countryinfo.CountryNotFoundError):
            continue
        for spelling in spellings:
            names.setdefault(_spelling_key(spelling), name)
    for demonym, name in gazetteer().demonyms.items():
        names.setdefault(demonym, name)
    return names


def _spelling_key(text: str) -> str:
    words = text.replace(".", "").split()
    return " ".join(w if w.isupper() and len(w) <= 3 else w.lower() for w in words)


def countries_named(text: str) -> set[str]:
    """The countries a text names by any of their names, codes or demonyms (up to 3 words)."""
    words = _spelling_key(" ".join(re.findall(r"[A-Za-z][A-Za-z.]*", text))).split()
    names = _country_names()
    grams = (" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1))
    return {names[g] for g in grams if g in names}
