"""The answer types a question can expect, and the nouns that name them.

The types and the spaCy entity labels that express each; a lexicon of the nouns a question
names its answer by ("Which airline ...?" asks for an organisation); and `typed_noun`, which
reads that noun and its modifiers from "which/what <noun>" or "what is the <noun> ...". The
question analysis (`rag.question`) applies these with its other rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
_OF_NOUNS = frozenset("kind type sort form variety species breed name names title".split())
_NAMES = frozenset({"name", "names", "title"})
# the verbs a sentence or a question names a thing by ("known as Title 42", "What is it called?")
NAMING_VERBS = frozenset("named called dubbed titled known nicknamed christened".split())
COPULA = frozenset("is are was were".split())
_KINDS = frozenset("kind type sort form variety".split())
_AUXILIARIES = frozenset("do does did have has had is are was were be been".split())


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
    run = _noun_run(doc, wh.i + 1)
    clausal = _CLAUSAL
    # "what is the threat", not "what are officials doing" (an auxiliary of the verb asked)
    if not run and wh.i + 1 < len(doc) and _copula(doc[wh.i + 1]):
        run, clausal = _copula_run(doc, wh.i + 1), _CLAUSAL_AFTER_COPULA
    if not run:
        return None
    head = run[-1]
    noun = _singular(head.lower_)
    # "what kind of weather system", "what is this type of weather system called"
    opening = run[0].i
    kind_of = opening >= 2 and doc[opening - 1].lower_ == "of" and doc[opening - 2].lower_ in _KINDS
    if head.lower_ in clausal and not kind_of:  # "what kind of arrangement" names a thing
        return Typed(DESCRIPTION, noun, _phrase(run))
    compound = " ".join(t.lower_ for t in run[-2:])
    kind = _COMPOUNDS.get(compound) or _TYPE_NOUNS.get(noun) or _by_sense(noun)
    if kind_of:  # "which type of business": a kind ("hotels"), not a named instance
        kind = THING
    plural = head.tag_ in ("NNS", "NNPS")
    of_noun = None if kind_of else _of_noun(doc, head)
    # "the name of the glacier", "the glacier's name"
    named = any(t.lower_ in _NAMES and t.pos_ == "NOUN" for t in doc[wh.i + 1 : head.i + 3])
    # "What is the rule commonly called?": the name it goes by
    called = any(t.lower_ in NAMING_VERBS and t.dep_ == "ROOT" for t in doc)
    named = named or (called and not kind_of)
    return Typed(kind, noun, _phrase(run), plural, kind_of, of_noun, named)


def question_word(doc: Any, words: Iterable[str]) -> Any | None:
    """The first of `words` that asks: not a relative pronoun opening a clause about a noun
    ("people who carry some extra pounds have a lower risk of what?"), unless every one is."""
    found = [t for t in doc if t.lower_ in words]
    asking = [t for t in found if not (t.head.dep_ == "relcl" and t.head.i > t.i)]
    return (asking or found or [None])[0]


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
    run = _noun_run(doc, many.i + 1) if many is not None and many.i + 1 < len(doc) else []
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
    run = _noun_run(doc, skip)
    return run[-1].lower_ if run and run[-1].pos_ == "NOUN" else None


def _noun_run(doc: Any, i: int) -> list[Any]:
    """The modifiers and nouns from token `i` up to the head noun ("English rugby union club"),
    through "kind of X" and "name of the X" to X; [] when no noun follows."""
    run: list[Any] = []
    for token in doc[i:]:
        if run and token.tag_.startswith("VB") and _head_noun(run[-1]):
            break  # "what kind of fuel hit record prices": the noun, then its own verb
        if token.text in _QUOTES or _joins_modifiers(doc, token, run):
            continue  # "which 'La La Land' filmmaker", "which long-standing and controversial"
        # "84-year-old", "state-owned": a number and hyphens modify too
        modifier = token.dep_ in ("amod", "compound", "nmod") or token.tag_ == "HYPH"
        modifier = modifier or (token.like_num and token.dep_ == "nummod")
        modifier = modifier or _participle(doc, token, i, run)
        if token.tag_ == "POS" or not (token.pos_ in ("ADJ", "NOUN", "PROPN") or modifier):
            break
        run.append(token)
    while run and run[-1].pos_ not in ("NOUN", "PROPN"):
        run.pop()
    if not run:
        return []
    after = run[-1].i + 1
    if run[-1].lower_ in _OF_NOUNS and after < len(doc) and doc[after].lower_ == "of":
        skip = after + 1
        while skip < len(doc) and doc[skip].pos_ in ("DET", "PRON") and doc[skip].tag_ != "WDT":
            skip += 1
        return _noun_run(doc, skip) or run
    return run


_QUOTES = frozenset({"'", '"', "‘", "’", "“", "”"})


def _joins_modifiers(doc: Any, token: Any, run: list[Any]) -> bool:
    """An adverb of a modifier ("increasingly controversial") or a conjunction between two
    modifiers ("long-standing and controversial"): the phrase goes on to its noun."""
    if token.pos_ == "ADV" and token.dep_ == "advmod":
        return token.head.i > token.i and token.head.dep_ in ("amod", "conj", "compound")
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if token.pos_ != "CCONJ" or nxt is None or nxt.pos_ not in ("ADJ", "ADV", "VERB"):
        return False
    return bool(run) and run[-1].pos_ in ("ADJ", "VERB")


def _head_noun(token: Any) -> bool:
    """A common noun the parser reads as a phrase's head, not as a modifier of a later word."""
    return token.pos_ == "NOUN" and token.dep_ not in ("amod", "compound", "nmod")


def _participle(doc: Any, token: Any, first: int, run: list[Any]) -> bool:
    """A participle modifying the noun after it: first in the phrase ("which beloved brand"),
    or after a name or an adjective when that noun's own verb follows ("which Disney animated
    sequel set a record", which the small parser reads as "Disney animated"; not "which
    Republican won races in ...")."""
    if token.lower_ in _AUXILIARIES:  # "what did researchers find" asks of the researchers
        return False
    nxt = token.i + 1
    if token.i == first and token.tag_ in ("VBP", "VB") and nxt < len(doc):
        return doc[nxt].pos_ in ("NOUN", "PROPN")  # "at which elite Tehran university", mis-tagged
    if token.tag_ not in ("VBN", "VBD", "VBG"):
        return False
    if nxt >= len(doc) or doc[nxt].pos_ != "NOUN":
        return False
    if token.i == first:
        return True
    if not run or run[-1].pos_ not in ("PROPN", "ADJ"):
        return False
    end = nxt
    while end < len(doc) and doc[end].pos_ == "NOUN":
        end += 1
    return end < len(doc) and doc[end].pos_ in ("VERB", "AUX")


def _copula(token: Any) -> bool:
    return token.lower_ in COPULA and token.dep_ != "aux"


def _copula_run(doc: Any, verb: int) -> list[Any]:
    """ "What is the biggest security threat ...?": the noun the copula equates with "what"."""
    for token in doc[verb + 1 :]:
        if token.dep_ == "poss" and token.head.lower_ in _NAMES:  # "what is the storm's name"
            start = token.left_edge.i
            while doc[start].pos_ == "DET":
                start += 1
            return _noun_run(doc, start)
        if token.pos_ in ("NOUN", "PROPN") and token.dep_ in ("nsubj", "nsubjpass", "attr", "ROOT"):
            if _doing(doc, verb, token):
                return []
            return _noun_run(doc, token.i)
        if token.pos_ in ("VERB", "ADP") and token.dep_ not in ("amod", "compound"):
            break
    return []


def _doing(doc: Any, verb: int, token: Any) -> bool:
    """ "What are officials doing?", "What were investors worried about?": a bare plural
    right after the copula, then its verb or state; what it does is asked, not what it is."""
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    bare = token.i == verb + 1 and token.tag_ == "NNS"
    if not bare or nxt is None:
        return False
    return nxt.tag_ in ("VBG", "VBN") or (nxt.tag_ == "JJ" and nxt.head.i == token.i)


def _phrase(run: list[Any]) -> str:
    """The run's nouns and modifiers, participles too ("baked good", "animated sequel")."""
    kept = [t for t in run if t.pos_ in ("NOUN", "PROPN", "ADJ") or t.tag_ in ("VBN", "VBG")]
    return " ".join(t.text for t in kept).lower()


def _singular(noun: str) -> str:
    return noun[:-1] if noun.endswith("s") and noun[:-1] in _TYPE_NOUNS else noun
