"""Question analysis: what kind of answer a question expects, and the words it is about.

Rules over the question's words and spaCy's part-of-speech tags, so that they are fast,
explainable and tested with a table of real question shapes. The reader (`rag.read`) uses the
analysis to pick typed candidates; `rag.verdict` answers the yes/no and before/after kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rag.catalog import keyword_terms

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
_COPULA = frozenset("is are was were".split())
_KINDS = frozenset("kind type sort form variety".split())
_WH_TOKENS = frozenset("what which who whom whose where when".split())

_WH = r"(?:what|which|who|whom|whose|when|where|why|how)"
_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might)"
_LEAD_AUX = re.compile(rf"^\W*{_AUX}\b", re.IGNORECASE)
_CLAUSE_AUX = re.compile(
    rf"(?:^|[,;:]\s*|\b(?:and|but|then)\s+){_AUX}\s+(?:there|the|it|a|an|both)\b", re.IGNORECASE
)
_OPENS_WH = re.compile(rf"^\W*(?:\w+\W+){{0,2}}{_WH}\b", re.IGNORECASE)
_BEFORE_OR_AFTER = re.compile(r"\b(before or after|after or before)\b", re.IGNORECASE)
_OPTIONS = re.compile(
    r"\b(consistent or inconsistent|inconsistent or consistent|agree or disagree|"
    r"a change or consistency|change or consistency|consistency or (?:a )?change|"
    r"same or different)\b",
    re.IGNORECASE,
)
_NUMBER_Q = re.compile(
    r"\bhow (many|much|long|old|far|big|large|tall|high|fast|often)\b|"
    r"\bwhat (percentage|percent|proportion|number|share|amount|price|sum|fraction|rate)\b",
    re.IGNORECASE,
)
_DATE_Q = re.compile(
    r"^\W*when\b|\b(what|which|in which|in what|during which|during what|on which|on what)\s+"
    r"(year|date|day|month|time|decade|century|season|weekday)\b",
    re.IGNORECASE,
)
_PERSON_Q = re.compile(r"\b(who|whom|whose)\b", re.IGNORECASE)
_PLACE_Q = re.compile(r"\bwhere\b", re.IGNORECASE)
_IDENTITY = re.compile(r"^\W*(who|what|which)\s+(is|are|was|were)\s+(the|a|an)\s+\w", re.I)
_WHO_IS_THE = re.compile(r"^\W*who\s+(?:is|was|are|were)\s+the\s+([a-z]+)\b(?!\s+that)", re.I)
_KNOWN_AS = re.compile(r"\b(known as|called|named|dubbed|titled) what\b", re.IGNORECASE)


@dataclass(frozen=True)
class Analysis:
    """What a question asks for.

    `answer_type` is one of TYPES; `labels` are the spaCy entity labels that fit it;
    `type_noun` is the noun the question names its answer by ("animal" in "Which animal ...?")
    and `type_phrase` that noun with its modifiers ("sea animal"); `plural` when it asks for
    several ("Which PSP leaders ...?"); `focus` are the question's content words without the
    type phrase; `options` are the replies a verdict allows ("yes"/"no", "before"/"after");
    `identity` when it asks who or what bears a description ("Who is the governor ...?")."""

    question: str
    answer_type: str
    labels: frozenset[str] = frozenset()
    type_noun: str | None = None
    type_phrase: str | None = None
    plural: bool = False
    focus: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    identity: bool = False  # "Who is the governor of Sindh?": the answer is who bears the title
    slot: str | None = None  # the word the answer attaches to ("breakup" in "breakup of which")
    slot_subject: bool = False  # the answer is that verb's subject ("Which club went ...?")
    category: bool = False  # "which type of business": a kind of thing, not a named one

    @property
    def is_factoid(self) -> bool:
        """The answer is a phrase: a name, a number, a date or a typed noun phrase."""
        return self.answer_type not in (DESCRIPTION, VERDICT, ORDER)

    @property
    def is_verdict(self) -> bool:
        return self.answer_type in (VERDICT, ORDER)


@dataclass(frozen=True)
class _Typed:
    kind: str
    noun: str | None = None
    phrase: str | None = None
    plural: bool = False
    category: bool = False


def analyse(question: str) -> Analysis:
    """The expected answer type, type noun and focus words of `question`."""
    text = " ".join(question.split())
    typed = _answer_type(text)
    own = set(keyword_terms(typed.phrase or ""))
    focus = tuple(w for w in keyword_terms(text) if w not in own)
    return Analysis(
        question=text,
        answer_type=typed.kind,
        labels=LABELS.get(typed.kind, frozenset()),
        type_noun=typed.noun,
        type_phrase=typed.phrase,
        plural=typed.plural,
        category=typed.category,
        focus=focus,
        options=_options(text, typed.kind),
        identity=_asks_identity(_main_question(text)),
        **_slot(_main_question(text)) if typed.kind not in (VERDICT, ORDER) else {},
    )


def _answer_type(text: str) -> _Typed:
    """The first rule that fits the sentence that asks."""
    if _BEFORE_OR_AFTER.search(text):
        return _Typed(ORDER)
    main = _main_question(text)
    if _is_yes_no(main):
        return _Typed(VERDICT)
    if _NUMBER_Q.search(main):
        return _Typed(NUMBER)
    if _DATE_Q.search(main):
        return _Typed(DATE)
    if _KNOWN_AS.search(main):
        return _Typed(THING)
    typed = _typed_noun(main)
    if typed is not None:
        return typed
    if _PERSON_Q.search(main):  # "Who is the convener of ...?" names its answer "convener"
        titled = _WHO_IS_THE.match(main)
        noun = titled.group(1).lower() if titled else None
        return _Typed(PERSON, noun, noun)
    if _PLACE_Q.search(main):
        return _Typed(PLACE)
    return _Typed(DESCRIPTION)


def _asks_identity(text: str) -> bool:
    """ "Who is the governor of Sindh?" asks who bears a title; "Who is the individual that
    ...?" asks who did something, and is not answered by whoever carries a title."""
    match = _IDENTITY.match(text)
    if not match:
        return False
    rest = text[match.end() :]
    return len(text.split()) <= 12 and not re.search(r"\b(that|who|whom|whose|which)\b", rest)


def _slot(text: str) -> dict[str, Any]:
    """Where the answer sits in the question's parse: the content word the question phrase
    hangs from (through prepositions), and whether it is that word's subject."""
    from rag.nlp import parse

    doc = parse(text)
    wh = next((t for t in doc if t.lower_ in _WH_TOKENS), None)
    if wh is None:
        return {}
    phrase = wh.head if wh.dep_ == "det" else wh
    relative = _relative_verb(doc, phrase)
    if relative is not None:  # "Who is the individual that constructed ...?"
        return {"slot": relative.lower_, "slot_subject": True}
    head = phrase.head
    while head.pos_ in ("ADP", "AUX", "PART") and head.head.i != head.i:
        head = head.head
    if head.i == phrase.i or head.lower_ in _COPULA or head.pos_ not in ("VERB", "NOUN", "ADJ"):
        return {}
    return {"slot": head.lower_, "slot_subject": phrase.dep_ in ("nsubj", "nsubjpass")}


def _relative_verb(doc: Any, phrase: Any) -> Any | None:
    """The verb of "the <noun> that/who <verb> ..." when the question equates its question
    word with that noun ("Who is the individual that ...?")."""
    if phrase.head.lower_ not in _COPULA:
        return None
    nouns = [t for t in phrase.head.children if t.pos_ in ("NOUN", "PROPN") and t.i != phrase.i]
    for noun in nouns:
        for token in doc[noun.i + 1 :]:
            if token.lower_ in ("that", "who", "which") and token.dep_ in ("nsubj", "nsubjpass"):
                return token.head if token.head.pos_ in ("VERB", "AUX") else None
    return None


def _main_question(text: str) -> str:
    """The sentence that asks: quiz questions often set the scene first ("X happened. Which
    Y ...?")."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])", text) if s.strip()]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return (asking or sentences or [text])[-1]


def _is_yes_no(text: str) -> bool:
    """ "Is/Did/Has ...?", or a clause that asks so after a setting ("Between A and B, was
    there ...?"), and no question word opening the sentence."""
    if _LEAD_AUX.match(text):
        return True
    return bool(_CLAUSE_AUX.search(text)) and not _OPENS_WH.match(text)


def _typed_noun(text: str) -> _Typed | None:
    """The type named by "which/what <noun>" or "what is the <noun> ...": a known noun gives
    its type, another noun a typed noun phrase (THING); None when no noun names it."""
    from rag.nlp import parse

    doc = parse(text)
    wh = next((t for t in doc if t.lower_ in ("which", "what")), None)
    if wh is None:
        return None
    run = _noun_run(doc, wh.i + 1)
    clausal = _CLAUSAL
    if not run and wh.i + 1 < len(doc) and doc[wh.i + 1].lower_ in _COPULA:
        run, clausal = _copula_run(doc, wh.i + 1), _CLAUSAL_AFTER_COPULA
    if not run:
        return None
    head = run[-1]
    noun = _singular(head.lower_)
    kind_of = head.i >= 2 and doc[head.i - 1].lower_ == "of" and doc[wh.i + 1].lower_ in _KINDS
    if head.lower_ in clausal and not kind_of:  # "what kind of arrangement" names a thing
        return _Typed(DESCRIPTION, noun, _phrase(run))
    compound = " ".join(t.lower_ for t in run[-2:])
    kind = _COMPOUNDS.get(compound) or _TYPE_NOUNS.get(noun, THING)
    if kind_of:  # "which type of business": a kind ("hotels"), not a named instance
        kind = THING
    return _Typed(kind, noun, _phrase(run), head.tag_ in ("NNS", "NNPS"), kind_of)


def _noun_run(doc: Any, i: int) -> list[Any]:
    """The modifiers and nouns from token `i` up to the head noun ("English rugby union club"),
    through "kind of X" and "name of the X" to X; [] when no noun follows."""
    run = []
    for token in doc[i:]:
        modifier = token.dep_ in ("amod", "compound", "nmod") or token.tag_ == "HYPH"
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        participle = token.tag_ in ("VBN", "VBD", "VBG") and token.i == i  # "which beloved brand"
        modifier = modifier or (participle and following is not None and following.pos_ == "NOUN")
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


def _copula_run(doc: Any, verb: int) -> list[Any]:
    """ "What is the biggest security threat ...?": the noun the copula equates with "what"."""
    for token in doc[verb + 1 :]:
        if token.pos_ in ("NOUN", "PROPN") and token.dep_ in ("nsubj", "attr", "ROOT"):
            return _noun_run(doc, token.i)
        if token.pos_ in ("VERB", "ADP") and token.dep_ not in ("amod", "compound"):
            break
    return []


def _phrase(run: list[Any]) -> str:
    return " ".join(t.text for t in run if t.pos_ in ("NOUN", "PROPN", "ADJ")).lower()


def _singular(noun: str) -> str:
    return noun[:-1] if noun.endswith("s") and noun[:-1] in _TYPE_NOUNS else noun


def _options(text: str, kind: str) -> tuple[str, ...]:
    if kind == ORDER:
        return ("before", "after")
    if kind != VERDICT:
        return ()
    offered = _OPTIONS.search(text)
    if offered:
        first, _, second = offered.group(1).lower().partition(" or ")
        return (first.removeprefix("a ").strip(), second.strip())
    return ("yes", "no")
