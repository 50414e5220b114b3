"""The answer types a question can expect, and the nouns that name them.

The types and the spaCy entity labels that express each; a lexicon of the nouns a question
names its answer by ("Which airline ...?" asks for an organisation); and `typed_noun`, which
types the noun and modifiers of "which/what <noun>" or "what is the <noun> ..." that
`rag.wh_phrase` reads from the parse. The question analysis (`rag.question`) applies these
with its other rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rag.wh_phrase import (
    NAMES,
    copula_run,
    is_copula,
    noun_run,
    past_partitive,
    phrase_of,
    question_word,
)

# answer types
PERSON, ORGANISATION, PLACE, NATIONALITY = "person", "organisation", "place", "nationality"
DATE, NUMBER, WORK = "date", "number", "work"
THING, DESCRIPTION, VERDICT, ORDER = "thing", "description", "verdict", "order"
# the spaCy entity labels that express each entity type
LABELS: dict[str, frozenset[str]] = {
    PERSON: frozenset({"PERSON"}),
    ORGANISATION: frozenset({"ORG"}),
    PLACE: frozenset({"GPE", "LOC", "FAC"}),
    NATIONALITY: frozenset({"NORP"}),
    DATE: frozenset({"DATE", "TIME"}),
    NUMBER: frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY"}),
    WORK: frozenset({"WORK_OF_ART", "EVENT", "LAW", "PRODUCT"}),
}
TYPES = (PERSON, ORGANISATION, PLACE, NATIONALITY, DATE, NUMBER, WORK, THING, DESCRIPTION,
         VERDICT, ORDER)  # fmt: skip

_LEXICON = {
    PERSON: "person man woman individual people artist singer actor actress comedian player "
    "leader president minister justice judge ceo founder politician author writer athlete "
    "rapper musician director star member celebrity candidate official host coach chef "
    "governor senator lawmaker king queen prince princess pope spokesperson spokesman "
    "executive boss owner billionaire entrepreneur journalist reporter anchor scientist "
    "astronaut pilot manager chairman chancellor premier mayor footballer quarterback "
    "pitcher golfer convener chief general soldier suspect victim winner rival successor "
    "predecessor guest figure",
    ORGANISATION: "company firm airline brand automaker carmaker organisation organization "
    "group party team club university college school network agency bank retailer chain "
    "newspaper broadcaster faction union league manufacturer startup giant business "
    "corporation conglomerate outlet publisher studio label charity institution ministry "
    "department government administration alliance coalition cartel insurer lender operator "
    "carrier maker developer provider supplier exchange platform franchise organiser "
    "organizer regulator watchdog channel magazine website app",
    PLACE: "country nation state city town region province county island continent area place "
    "location capital village territory site landmark destination port airport neighbourhood "
    "neighborhood district border river lake mountain sea ocean coast park venue stadium section "
    "building hospital prison jail",
    NATIONALITY: "nationality demonym",
    DATE: "year month day date time decade century season weekday",
    NUMBER: "number amount percentage percent share price figure total sum cost rate count "
    "fee fine salary budget value population",
    WORK: "film movie book novel song album show series event holiday festival award prize "
    "tournament championship war battle law bill act treaty policy game episode opera "
    "musical documentary",
}
_TYPE_NOUNS = {word: kind for kind, words in _LEXICON.items() for word in words.split()}
_COMPOUNDS = {"cruise line": ORGANISATION, "record label": ORGANISATION}
# nouns that name an explanation, not a thing: their answers are sentences
_CLAUSAL = frozenset(
    "reason reasons cause causes purpose goal aim demand demands terms explanation motive "
    "motives way ways approach strategy argument arrangement view stance message warning "
    "promise offer response impact effect decision claim allegation accusation".split()
)
_CLAUSAL_AFTER_COPULA = _CLAUSAL | {"condition", "conditions", "plan", "plans", "role", "position"}
# the verbs a sentence or a question names a thing by ("known as Title 42", "What is it called?")
NAMING_VERBS = frozenset("named called dubbed titled known nicknamed christened".split())
_KINDS = frozenset("kind type sort form variety".split())


@dataclass(frozen=True)
class Typed:
    """The type a question's words name, and the noun (with its modifiers) naming it."""

    kind: str
    noun: str | None = None
    phrase: str | None = None
    plural: bool = False
    category: bool = False
    of_noun: str | None = None  # what the type noun is of ("cleaner" in "which brand of cleaner")
    named: bool = False  # "what is the name of the glacier": a proper name, not a kind


def typed_noun(text: str) -> Typed | None:
    """The type named by "which/what <noun>" or "what is the <noun> ...": a known noun gives
    its type, another noun a typed noun phrase (THING); None when no noun names it."""
    from rag.nlp import parse

    doc = parse(text)
    wh = question_word(doc, ("which", "what"))
    if wh is None:
        return None
    run = noun_run(doc, past_partitive(doc, wh.i + 1))
    clausal = _CLAUSAL
    # "what is the threat", not "what are officials doing" (an auxiliary of the verb asked)
    if not run and wh.i + 1 < len(doc) and is_copula(doc[wh.i + 1]):
        run, clausal = copula_run(doc, wh.i + 1), _CLAUSAL_AFTER_COPULA
    if not run:
        return None
    head = run[-1]
    noun = _singular(head.lower_)
    # "what kind of weather system", "what is this type of weather system called"
    opening = run[0].i
    kind_of = opening >= 2 and doc[opening - 1].lower_ == "of" and doc[opening - 2].lower_ in _KINDS
    if head.lower_ in clausal and not kind_of:  # "what kind of arrangement" names a thing
        return Typed(DESCRIPTION, noun, phrase_of(run))
    compound = " ".join(t.lower_ for t in run[-2:])
    kind = _COMPOUNDS.get(compound) or _TYPE_NOUNS.get(noun) or _by_sense(noun)
    if kind_of:  # "which type of business": a kind ("hotels"), not a named instance
        kind = THING
    plural = head.tag_ in ("NNS", "NNPS")
    of_noun = None if kind_of else _of_noun(doc, head)
    # "the name of the glacier", "the glacier's name"
    named = any(t.lower_ in NAMES and t.pos_ == "NOUN" for t in doc[wh.i + 1 : head.i + 3])
    # "What is the rule commonly called?": the name it goes by
    called = any(t.lower_ in NAMING_VERBS and t.dep_ == "ROOT" for t in doc)
    named = named or (called and not kind_of)
    return Typed(kind, noun, phrase_of(run), plural, kind_of, of_noun, named)


def names_person(noun: str) -> bool:
    """The noun asks for a person: by the lexicon, else by WordNet (`_by_sense`)."""
    kind = _TYPE_NOUNS.get(_singular(noun.lower()))
    return kind == PERSON if kind else _by_sense(noun.lower()) == PERSON


def _by_sense(noun: str) -> str:
    """A type noun the lexicon lacks names a person where WordNet's most frequent sense of it
    is one ("filmmaker", "novelist"), else a typed thing."""
    from rag.kinds import usually

    return PERSON if usually(noun, "person") else THING


def counted_noun(text: str) -> str | None:
    """What "how many" counts ("republicans" in "How many House Republicans voted ...?"), so
    that a number counting it ("14 Republicans") is named by it; None when nothing follows."""
    from rag.nlp import parse

    doc = parse(text)
    many = next((t for t in doc[1:] if t.lower_ == "many" and doc[t.i - 1].lower_ == "how"), None)
    run = noun_run(doc, many.i + 1) if many is not None and many.i + 1 < len(doc) else []
    return run[-1].lower_ if run and run[-1].pos_ in ("NOUN", "PROPN") else None


def _of_noun(doc: Any, head: Any) -> str | None:
    """The common noun the type noun is "of": "cleaner" in "which brand of multi-purpose
    cleaner", whose name a sentence gives as its modifier ("Fabuloso multi-purpose cleaner")."""
    after = head.i + 1
    if after + 1 >= len(doc) or doc[after].lower_ != "of":
        return None
    skip = after + 1
    while skip < len(doc) and doc[skip].pos_ == "DET":
        skip += 1
    run = noun_run(doc, skip)
    return run[-1].lower_ if run and run[-1].pos_ == "NOUN" else None


def title_noun(text: str) -> str | None:
    """The noun "Who is the ...?" asks who bears ("minister" in "Who is the new prime minister
    of Japan?", "founder" in "Who was the MQM's founder?"); None when no noun follows."""
    from rag.nlp import parse

    doc = parse(text)
    verb = next((t for t in doc if is_copula(t)), None)
    run = copula_run(doc, verb.i) if verb is not None else []
    return run[-1].lower_ if run else None


def _singular(noun: str) -> str:
    return noun[:-1] if noun.endswith("s") and noun[:-1] in _TYPE_NOUNS else noun
