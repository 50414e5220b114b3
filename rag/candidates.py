"""What makes a mention (`rag.mentions`) a good answer: its type fit, whether the sentence names
it by the question's type noun (`rag.naming`) and what it adds to the question; where it
stands in its sentence is `rag.position`'s."""

from __future__ import annotations

import re
from typing import Any

from rag.answer_types import DATE, NATIONALITY, NUMBER, ORGANISATION, PERSON, PLACE, THING, WORK
from rag.catalog import STOPWORDS
from rag.dates import date_fit
from rag.mentions import NOUN_PHRASE, Mention, normalise_key
from rag.naming import an_instance, named_by
from rag.places import (
    WANTED,
    countries_named,
    country_of,
    place_fit,
    place_kinds,
    region_fit,
)
from rag.question import Analysis

CATEGORY_NAME = 0.3  # share of its fit a name keeps where the question asks for a kind
ORGANISATION_LIKENESS = 0.5  # an organisation's fit kept however unlike the kind asked it is
LIKENESS_FLOOR = 0.1  # a typed phrase unlike the type noun still keeps this share of its fit
KNOWN_KIND = 0.8  # fit of a phrase WordNet knows as a kind of the type phrase
_PLACES = frozenset({"GPE", "LOC", "NORP"})
# the small tagger's labels get a second opinion from the gazetteer (`rag.places`): a name it
# knows as a place fits a place question whatever its label, and one it does not know, tagged
# a place, may be a firm ("Reddit" GPE) where an organisation is asked
_MISTAKEN = frozenset({"PERSON", "ORG", NOUN_PHRASE})
_MISTAKEN_PLACE = 0.9
_UNKNOWN_PLACE = 0.8
_AMOUNTS = frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY", "ORDINAL", "DATE", "TIME"})
_NEAR: dict[str, dict[str, float]] = {
    PERSON: {},
    ORGANISATION: {"NORP": 0.5, "GPE": 0.5, "PRODUCT": 0.5, "FAC": 0.4, "WORK_OF_ART": 0.3},
    PLACE: {"NORP": 0.6, "ORG": 0.3},
    NATIONALITY: {"GPE": 0.5},
    DATE: {"CARDINAL": 0.3},
    NUMBER: {},
    WORK: {"ORG": 0.4, "PERSON": 0.2, "GPE": 0.2, "NORP": 0.2},
}
_PROPER_PHRASE = {PERSON: 0.15, ORGANISATION: 0.4, PLACE: 0.3, WORK: 0.5, NATIONALITY: 0.0}
_MONEY_WORDS = re.compile(
    r"\b(money|cost|costs|price|paid|pay|fined?|worth|sell|sold|raise[ds]?|budget|salary|fee|"
    r"ransom|spend|spent|dollars?|value|bid)\b",
    re.IGNORECASE,
)
# type nouns that ask for a building or a site, which a town or a country is not
_FACILITIES = frozenset(
    "venue stadium arena building hospital prison jail airport landmark site".split()
)
NOT_A_FACILITY = 0.5
PERSONS_TITLE = 0.3  # share of its fit a person's title keeps where no person is asked
UNCOUNTED = 0.6  # share of its fit a number keeps when it does not count what "how many" asks
_PERCENT_WORDS = re.compile(r"\b(percent|percentage|proportion|share|rate)\b", re.IGNORECASE)


def type_fit(
    mention: Mention,
    analysis: Analysis,
    doc: Any,
    likeness: float | None = None,
    known_kind: bool = False,
) -> float:
    """How well the mention is the kind of thing the question asks for, in [0, 1].
    `likeness` is the cosine similarity of the mention to the question's type phrase (an
    organisation keeps more of its fit the more alike it is: "union": "Teamsters" 0.41 keeps
    0.89, "Amazon" 0.23 keeps 0.66); `known_kind` that WordNet knows it as a kind of that
    phrase (`rag.kinds`)."""
    fit = _fit(mention, analysis, doc, likeness, known_kind)
    if analysis.answer_type == ORGANISATION and likeness is not None:  # "Which union ...?"
        fit *= ORGANISATION_LIKENESS + (1 - ORGANISATION_LIKENESS) * _like(likeness)
    if analysis.answer_type != PERSON and _titles_person(mention, doc):
        return fit * PERSONS_TITLE  # "Hall of Famer Gregg Popovich" is no team
    return fit


def _titles_person(mention: Mention, doc: Any) -> bool:
    """The mention is the title of the person named right after it ("Hall of Famer Gregg
    Popovich", tagged an organisation)."""
    after = mention.last
    if mention.label in _AMOUNTS or after >= len(doc):  # "25 Teslas" counts, whatever the tag
        return False
    if doc[after].ent_type_ != "PERSON" or doc[after].ent_iob_ != "B":
        return False
    head = doc[after - 1].head
    return head.i >= after and head.ent_type_ == "PERSON"


def _fit(
    mention: Mention, analysis: Analysis, doc: Any, likeness: float | None, known_kind: bool
) -> float:
    kind = analysis.answer_type
    if mention.label == NOUN_PHRASE and _measure(mention, doc):  # "104 Fahrenheit"
        return 0.0
    if kind == THING:
        return _thing_fit(mention, analysis, doc, likeness, known_kind)
    if kind == PLACE and (mention.label in analysis.labels or mention.label == "NORP"):
        base = 1.0 if mention.label in analysis.labels else _NEAR[PLACE]["NORP"]
        return base * _place_fit(mention, analysis)
    # "Sri Lanka" PERSON; not a common noun that is also a town's name ("a sale", "Sale")
    mistaken = mention.label in _MISTAKEN and mention.proper
    if kind == PLACE and mistaken and place_kinds(mention.text):
        return _MISTAKEN_PLACE * _place_fit(mention, analysis)
    if kind == ORGANISATION and mention.label in ("GPE", "LOC") and not _known_place(mention):
        return _UNKNOWN_PLACE  # no place the gazetteer knows: a firm the tagger took for one
    if mention.label in analysis.labels:
        if kind == DATE:
            return date_fit(mention.text, analysis.question)
        if kind == NUMBER:
            counts = not analysis.type_noun or named_by(mention, analysis, doc)
            return _number_fit(mention, analysis) * (1.0 if counts else UNCOUNTED)
        return 1.0
    if mention.label == NOUN_PHRASE:
        if not mention.proper or kind in (DATE, NUMBER):  # a count or a date is no name
            return 0.0
        if kind != PERSON and _person_headed(mention, doc):  # "opposition leader Sajith Premadasa"
            return _NEAR.get(kind, {}).get("PERSON", 0.0)
        return 0.8 if named_by(mention, analysis, doc) else _PROPER_PHRASE.get(kind, 0.0)
    near = _NEAR.get(kind, {}).get(mention.label, 0.0)
    if mention.label in _AMOUNTS or kind in (DATE, NUMBER):
        return near
    # a name the tagger mislabels is still what the sentence calls a holiday or a firm
    return max(near, 0.8) if named_by(mention, analysis, doc) else near


def _place_fit(mention: Mention, analysis: Analysis) -> float:
    """How well a place fits the kind of place asked (`rag.places.place_fit`), the region the
    question puts it in ("Which South American country", `region_fit`), and whether a site
    is asked: "At which venue ...?" is "SoFi Stadium", not "L.A.", and "Which city ...?" is
    not answered by a building (or a storm the tagger calls one)."""
    noun = analysis.type_noun
    site = noun in _FACILITIES
    town = WANTED.get(noun or "") is not None  # a city, state or country
    facility = mention.label == "FAC"
    fit = NOT_A_FACILITY if (site and not facility) or (town and facility) else 1.0
    # a nationality names its country ("Chinese": China, no city)
    name = (country_of(mention.text) if mention.label == "NORP" else None) or mention.text
    return fit * place_fit(name, noun) * region_fit(name, analysis.type_phrase)


def _known_place(mention: Mention) -> bool:
    return bool(place_kinds(mention.text) or country_of(mention.text))


def _person_headed(mention: Mention, doc: Any) -> bool:
    """The phrase's head word is a person's name: the phrase names a person, whatever the
    titles before it say."""
    return doc[mention.first : mention.last].root.ent_type_ == "PERSON"


def _measure(mention: Mention, doc: Any) -> bool:
    """A noun phrase led by a number ("104 Fahrenheit", "5 million bottles") is an amount of
    something, never a name or a kind of thing (a number question takes the entity)."""
    lead = doc[mention.first]
    return lead.like_num or lead.ent_type_ in _AMOUNTS and lead.ent_type_ != "DATE"


def _number_fit(mention: Mention, analysis: Analysis) -> float:
    """ "How much money ...?" wants MONEY, "what percentage" PERCENT, "how many" a count."""
    question = analysis.question
    if _PERCENT_WORDS.search(question):
        return 1.0 if mention.label == "PERCENT" else 0.4
    if re.search(r"\bhow much\b", question, re.IGNORECASE) and _MONEY_WORDS.search(question):
        return 1.0 if mention.label == "MONEY" else 0.3
    if re.search(r"\bhow many\b", question, re.IGNORECASE):
        return 1.0 if mention.label in ("CARDINAL", "QUANTITY") else 0.5
    return 1.0


def _thing_fit(
    mention: Mention, analysis: Analysis, doc: Any, likeness: float | None, known_kind: bool
) -> float:
    """A typed noun phrase fits when the sentence names it by the question's type noun ("the
    mineral asbestos", "Typhoon Wipha", "orcas, the sea animals"); any other entity or noun
    phrase fits as far as it is like the type phrase ("an alliance" is an arrangement, "Syed
    Mustafa Kamal" is not), a proper name a little more than a common noun."""
    if mention.label in _AMOUNTS:  # "Which mineral ...?" is not answered by a number
        return 0.0
    if an_instance(mention, analysis, doc):
        return 0.0
    if named_by(mention, analysis, doc):
        return 1.0
    if known_kind:  # "volleyball" for "which sport"
        return KNOWN_KIND
    base = 0.6 if mention.label != NOUN_PHRASE else 0.5 if mention.proper else 0.35
    if analysis.category and mention.proper:  # "which type of business": "hotels", not a name
        base *= CATEGORY_NAME
    if analysis.named and not mention.proper:  # "the glacier's name": not "its past"
        base *= CATEGORY_NAME
    if likeness is None:
        return base
    return base * max(LIKENESS_FLOOR, _like(likeness))


def _like(likeness: float) -> float:
    """A cosine similarity to the type phrase as a share: 0 up to 0.1, 1 from 0.5."""
    return min(1.0, max(0.0, (likeness - 0.1) / 0.4))


def novelty(
    mention: Mention,
    question_words: set[str],
    type_noun: str | None = None,
    places: frozenset[str] = frozenset(),
) -> float:
    """Share of the mention's words the question does not already contain (0: it only repeats
    the question). The type noun does not count ("Typhoon Wipha" for "What typhoon ...?"
    is all new; "test flight" for "Which test flight ...?" is nothing new). A country the
    question names under another name (`places`: "US" for "United States") is not new, as
    a place or as a word of a name ("USA Hockey" for "The US defeated which team?")."""
    named = countries_named(mention.text) if places and mention.label in _PLACES else set()
    if named and named <= places:
        return 0.0
    noun = {type_noun, f"{type_noun}s"} if type_noun else set()
    words = [w for w in mention.key.split() if w not in STOPWORDS and w not in noun]
    if not words:
        return 0.0
    known = question_words | _aliases(mention.text, places)
    return sum(w not in known for w in words) / len(words)


def _aliases(text: str, places: frozenset[str]) -> set[str]:
    """The words of `text` that name one of `places`, normalised like mention keys."""
    if not places:
        return set()
    words = set(re.findall(r"[A-Za-z][A-Za-z.]*", text))
    # in the mention's own key form: "U.S." is the words "u" and "s"
    named = [w for w in words if (c := countries_named(w)) and c <= places]
    return {part for w in named for part in normalise_key(w).split()}


def question_words(analysis: Analysis) -> set[str]:
    """The words of the question, normalised like mention keys."""
    return set(normalise_key(analysis.question).split())
