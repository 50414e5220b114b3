"""Question analysis: what kind of answer a question expects, and the words it is about.

Rules over the question's words and spaCy's part-of-speech tags, so that they are fast,
explainable and tested with a table of real question shapes: the rule order, the sentence that
asks, yes/no and before/after questions, the replies a verdict allows and the word the answer
attaches to. The answer types and the nouns that name them are in `rag.answer_types`. The reader
(`rag.read`) uses the analysis to pick typed candidates; `rag.verdict` answers the yes/no and
before/after kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rag.answer_types import (
    DATE,
    DESCRIPTION,
    LABELS,
    NAMING_VERBS,
    NUMBER,
    ORDER,
    PERSON,
    PLACE,
    THING,
    VERDICT,
    Typed,
    counted_noun,
    names_person,
    title_noun,
    typed_noun,
)
from rag.catalog import keyword_terms
from rag.wh_phrase import COPULA, question_word

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
# a copula after a question word, spelled out or contracted ("Who is", "Who's", "What’s")
_BE = rf"(?:\s+(?:{'|'.join(sorted(COPULA))})|['’]s)"
_IDENTITY = re.compile(rf"^\W*(who|what|which){_BE}\s+(the|a|an)\s+\w", re.I)
_WHO_IS_THE = re.compile(rf"^\W*who{_BE}\s+the\s+[a-z]+\b(?!\s+that)", re.I)
_WHO_IS_PRONOUN = re.compile(rf"^\W*who{_BE}\s+(?:he|she|they)\W*$", re.I)
_KNOWN_AS = re.compile(r"\b(known as|called|named|dubbed|titled) what\b", re.IGNORECASE)
# "what" left where its answer stands: "... can help lower what?", "... built out of what?",
# "... had offered them what, after polling his followers?"
_IN_SITU = re.compile(r"\w\s+what\s*(?:,[^,?]*)?\?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Analysis:
    """What a question asks for.

    `answer_type` is one of TYPES (`rag.answer_types`); `labels` are the spaCy entity labels
    that fit it; `type_noun` is the noun the question names its answer by ("animal" in "Which
    animal ...?") and `type_phrase` that noun with its modifiers ("sea animal"); `plural` when
    it asks for several ("Which PSP leaders ...?"); `focus` are the question's content words
    without the type phrase; `options` are the replies a verdict allows ("yes"/"no",
    "before"/"after"); `identity` when it asks who or what bears a description ("Who is the
    governor ...?")."""

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
    slot_via: str | None = None  # the preposition between them ("with" in "contaminated with")
    slot_near: str | None = None  # the word right before that preposition, where it is another
    category: bool = False  # "which type of business": a kind of thing, not a named one
    named: bool = False  # "what is the name of the glacier": a proper name, not a kind
    of_noun: str | None = None  # what the type noun is of ("cleaner": "which brand of cleaner")

    @property
    def is_factoid(self) -> bool:
        """The answer is a phrase: a name, a number, a date or a typed noun phrase."""
        return self.answer_type not in (DESCRIPTION, VERDICT, ORDER)

    @property
    def by_position(self) -> bool:
        """It names its answer only by where it stands ("... contaminated with what?"): the
        answer must stand there in the sentence too. "A group known as what?" asks for a
        name, which a sentence gives in many ways."""
        naming = self.slot in NAMING_VERBS
        return self.answer_type == THING and not self.type_noun and bool(self.slot) and not naming

    @property
    def is_verdict(self) -> bool:
        return self.answer_type in (VERDICT, ORDER)


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
        named=typed.named,
        of_noun=typed.of_noun,
        focus=focus,
        options=_options(text, typed.kind),
        identity=_asks_identity(_main_question(text)),
        **_slot(_main_question(text)) if typed.kind not in (VERDICT, ORDER) else {},
    )


def _answer_type(text: str) -> Typed:
    """The first rule that fits the sentence that asks."""
    if _BEFORE_OR_AFTER.search(text):
        return Typed(ORDER)
    main = _main_question(text)
    if _is_yes_no(main):
        return Typed(VERDICT)
    if _NUMBER_Q.search(main):
        return Typed(NUMBER, counted_noun(main))
    if _DATE_Q.search(main):
        return Typed(DATE)
    if _KNOWN_AS.search(main) or (_IN_SITU.search(main) and not _OPENS_WH.match(main)):
        return Typed(THING)
    typed = typed_noun(main)
    if typed is not None:
        return typed
    if _PERSON_Q.search(main):  # "Who is the convener of ...?" names its answer "convener"
        noun = title_noun(main) if _WHO_IS_THE.match(main) else None
        if _WHO_IS_PRONOUN.match(main):  # "... fired their head coach. Who is he?"
            noun = _antecedent(text[: text.rindex(main)])
        return Typed(PERSON, noun, noun)
    if _PLACE_Q.search(main):
        return Typed(PLACE)
    return Typed(DESCRIPTION)


def _antecedent(scene: str) -> str | None:
    """The person noun the scene last names ("coach" in "the Nuggets fired their head coach,
    who had won them a title"), which "Who is he?" asks about."""
    from rag.nlp import parse

    nouns = [t.lower_ for t in parse(scene) if t.pos_ == "NOUN" and names_person(t.lower_)]
    return nouns[-1] if nouns else None


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
    wh = question_word(doc, _WH_TOKENS)
    if wh is None:
        return {}
    phrase = wh.head if wh.dep_ == "det" else wh
    relative = _relative_verb(doc, phrase)
    if relative is not None:  # "Who is the individual that constructed ...?"
        return {"slot": relative.lower_, "slot_subject": True}
    head = phrase.head
    while head.pos_ in ("ADP", "AUX", "PART") and head.head.i != head.i:
        head = head.head
    if head.i == phrase.i or head.lower_ in COPULA or head.pos_ not in ("VERB", "NOUN", "ADJ"):
        return {}
    via = phrase.head.lower_ if phrase.head.pos_ == "ADP" else None
    subject = phrase.dep_ in ("nsubj", "nsubjpass")
    near = _word_before(doc, phrase.head) if via else None
    return {
        "slot": head.lower_, "slot_subject": subject, "slot_via": via,
        "slot_near": near.lower_ if near is not None and near.i != head.i else None,
    }  # fmt: skip


def _word_before(doc: Any, preposition: Any) -> Any | None:
    """The noun or verb right before the preposition ("out of") that introduces the question
    word. The small parser often hangs the phrase higher than that word ("its recall of bars
    over possible contamination with what?": from "recall"), though the nearest is the likelier
    attachment."""
    i = preposition.i - 1
    while i >= 0 and doc[i].pos_ == "ADP":
        i -= 1
    return doc[i] if i >= 0 and doc[i].pos_ in ("NOUN", "VERB") else None


def _relative_verb(doc: Any, phrase: Any) -> Any | None:
    """The verb of "the <noun> that/who <verb> ..." when the question equates its question
    word with that noun ("Who is the individual that ...?")."""
    if phrase.head.lower_ not in COPULA:
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
