"""How a chosen candidate is said: without the words the question already says, a
nationality as its country when a place is asked, a name in its fullest form."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rag.answer_types import PERSON, PLACE, THING
from rag.candidates import question_words
from rag.cite import passage_sentences
from rag.dates import DAY_OF_MONTH, YEAR, asked_unit
from rag.mentions import AMOUNTS, NOUN_PHRASE, Mention, mentions, normalise_key
from rag.places import COUNTRY, WANTED, city_country, countries_named, country_of
from rag.quantities import numbers
from rag.question import Analysis
from rag.retrieve import Passage
from rag.sentences import Sentence

FULL_NAMES = frozenset({"PERSON", "ORG"})  # labels whose fullest form is looked for


def stated(mention: Mention, analysis: Analysis) -> str:
    """The answer as said: the mention, or the country of a nationality when a place is asked
    ("Syrian" -> "Syria"), or of a city when a country is ("Guangzhou" -> "China")."""
    text = " ".join(mention.text.split())
    if mention.label == "NORP" and analysis.answer_type == PLACE:
        return country_of(text) or text
    if mention.label == "GPE" and asks_country(analysis):
        return city_country(text) or text
    return text


def asks_country(analysis: Analysis) -> bool:
    """ "Which country ...?", "In which nation ...?"."""
    return analysis.answer_type == PLACE and WANTED.get(analysis.type_noun or "") == COUNTRY


def by_proxy(mention: Mention, analysis: Analysis) -> bool:
    """The answer is stated as what the mention tells, not as its words: a nationality's or a
    city's country."""
    return mention.label in ("NORP", "GPE") and stated(mention, analysis) != " ".join(
        mention.text.split()
    )


def trimmed(mention: Mention, analysis: Analysis) -> Mention:
    """The mention without what the question already says: a person's title in front ("Sindh
    Governor Kamran Tessori" -> "Kamran Tessori" for "Who is the governor of Sindh?"), and
    the question's words a common phrase ends with, then those it starts with ("the US
    monkeypox outbreak" -> "monkeypox" for "Which US virus outbreak ...?"). A capitalised
    word is part of a name ("Columbia University") and stays. What is left does not start
    with a joining word ("and ..."), a person's name not with the lower-case words that
    describe them ("late-night host Jimmy Kimmel"), a phrase not with a common noun's
    possessive ("year's Winter Games"), an amount not with the words that hedge it ("more
    than 1,000" -> "1,000": the quote keeps them), a date asked by its year as the year
    ("June 28, 1894" -> "1894"), a thing asked for without the name owning it ("the NASCAR
    event's grand marshal" -> "grand marshal") nor the count of a common noun ("two nuclear
    power plants"), and no quote mark is left unpaired."""
    if mention.label in AMOUNTS and (hedge := _HEDGE.match(mention.text)):
        return _narrowed(mention, hedge.end(), len(mention.text))
    if mention.label == "DATE":
        unit = asked_unit(analysis.question)
        year, day = YEAR.search(mention.text), DAY_OF_MONTH.search(mention.text)
        if year and unit == "year":  # "June 28, 1894" -> "1894"
            return _narrowed(mention, year.start(), year.end())
        if day and unit in (None, "date"):  # "midnight December 21"
            return _narrowed(mention, day.start(), day.end())
    if (country := _common_country(mention, analysis)) is not None:
        return country
    words = list(re.finditer(r"\S+", mention.text))
    if (named := _after_type_noun(words, analysis)) is not None:  # "weight-loss drug Wegovy"
        return _paired(_narrowed(mention, words[named].start(), len(mention.text)))
    asked = question_words(analysis)
    first, last = 0, len(words)
    if mention.label == NOUN_PHRASE:
        while last > 1 and words[last - 1].group().islower() and _said(words[last - 1], asked):
            last -= 1
    person = mention.label == "PERSON" or (
        mention.label == NOUN_PHRASE and analysis.answer_type == PERSON
    )
    if person or last < len(words):
        while first < last - 1 and _said(words[first], asked):
            first += 1
    if mention.label == NOUN_PHRASE and analysis.answer_type == THING:
        first = max(first, _owned(words[:last]))  # "the NASCAR event's grand marshal"
        if not mention.proper and first < last - 1 and numbers(words[first].group()):
            first += 1  # "two nuclear power plants": how many is no part of what they are
    # a name without the words describing it ("coastal Montecito"), unless a sort is asked
    name = mention.label == NOUN_PHRASE and mention.proper and not analysis.category
    while first < last - 1 and _leading_filler(words, first, person or analysis.named or name):
        first += 1
    if (first, last) == (0, len(words)):
        return _paired(mention)
    end = words[last - 1].end()
    if last < len(words) and _OWNER.search(words[last - 1].group()):
        end -= 2  # "Mara Quillfeather's new memoir" -> "Mara Quillfeather": the possessor
    return _paired(_narrowed(mention, words[first].start(), end))


# words that bound or round the number after them: the answer is the number
_HEDGE = re.compile(
    r"(?:(?:(?:more|less|fewer|higher|lower|greater) than|nearly|almost|about|around|roughly|"
    r"approximately|over|under|some|just|an estimated|estimated|up to|at least|at most|"
    r"close to|upwards of|(?:as )?(?:many|much|few|little) as)\s+)+(?=[^\s\d]{0,3}\d)",
    re.IGNORECASE,
)
_OWNER = re.compile(r"\w[’']s$")  # a possessive a cut phrase ends on


def _common_country(mention: Mention, analysis: Analysis) -> Mention | None:
    """A country asked for, named in its official form, cut to its common name inside it
    ("The Republic of Rwanda" -> "Rwanda"); None otherwise."""
    if mention.label != "GPE" or not asks_country(analysis):
        return None
    names = countries_named(mention.text)
    if len(names) != 1:
        return None
    name = next(iter(names))
    at = mention.text.lower().find(name.lower())
    rest = (mention.text[:at] + " " + mention.text[at + len(name) :]).lower().split()
    if at < 0 or not rest or any(w not in _OFFICIAL for w in rest):  # not "New Mexico"
        return None
    return _narrowed(mention, at, at + len(name))


# the words of a country's official name around its common one
_OFFICIAL = frozenset(
    "the republic of kingdom federal democratic people's islamic united state states "
    "federation commonwealth socialist arab grand duchy principality union".split()
)


def _after_type_noun(words: list[re.Match[str]], analysis: Analysis) -> int | None:
    """Index of the first word of a name that follows the question's type noun in lower case
    ("Novo Nordisk's weight-loss drug Wegovy" for "... which weight-loss drug?", "male panda
    Bao Li" for "the name of the male"); None when the phrase has no such name."""
    noun = analysis.type_noun
    if not noun:
        return None
    for i, word in enumerate(words[:-1]):
        if word.group() not in (noun, noun + "s"):
            continue
        for j in range(i + 1, len(words)):  # "male panda Bao Li": past lower-case nouns too
            if all(w.group()[:1].isupper() for w in words[j:]):
                return j
            if not words[j].group().islower():
                break
    return None


def _owned(words: list[re.Match[str]]) -> int:
    """Index of the first word after a possessive that only lower-case words follow ("grand"
    in "the iconic NASCAR event's grand marshal": what is asked is the marshal); 0 if none."""
    for i in range(len(words) - 2, -1, -1):
        if _OWNER.search(words[i].group()) and all(w.group().islower() for w in words[i + 1 :]):
            return i + 1
    return 0


def by_tail(mention: Mention, tail: str, doc: Any, offset: int) -> Mention:
    """The mention cut to its last words, `tail`, where the words before only describe it
    ("new volleyball" -> "volleyball", "iconic fog" -> "fog"; not "heart problems"): `doc` is
    its sentence's parse, which starts at character `offset`."""
    words = list(re.finditer(r"\S+", mention.text))
    count = len(tail.split())
    if count >= len(words):
        return mention
    tail_at = mention.start + words[-count].start()
    before = [t for t in doc if mention.start <= t.idx + offset < tail_at]
    describing = all(t.pos_ in ("ADJ", "ADV", "PUNCT") for t in before)
    if not describing or not any(t.pos_ == "ADJ" for t in before):
        return mention
    return _narrowed(mention, words[-count].start(), len(mention.text))


def _narrowed(mention: Mention, start: int, end: int) -> Mention:
    """The mention cut to its text's characters `start:end`, offsets and key to match."""
    text = mention.text[start:end]
    return replace(
        mention,
        text=text,
        start=mention.start + start,
        end=mention.start + end,
        key=normalise_key(text),
    )


_JOINING = frozenset({"and", "or", "but", "nor", "&", "of", "with", "as"})
_NAME_PARTICLES = frozenset(
    "de da di del della du des van von der den ter bin ibn al el la le".split()
)
_POSSESSIVE = re.compile(r"^[a-z][\w-]*[’']s?$")


def _leading_filler(words: list[re.Match[str]], i: int, person: bool) -> bool:
    """Word `i` starts the phrase but is not part of what it names."""
    word = words[i].group()
    if word.lower() in _JOINING:
        return True
    if _POSSESSIVE.match(word):  # "year's", "officials'"
        return True
    later = [w.group() for w in words[i + 1 :]]
    describes = word.islower() and word not in _NAME_PARTICLES
    return person and describes and any(w[:1].isupper() for w in later)


def _paired(mention: Mention) -> Mention:
    """The mention without a quote mark at an edge that has no partner inside it."""
    text = mention.text
    start, end = 0, len(text)
    while start < end and text[start] in _QUOTES and not _closes(text[start + 1 : end]):
        start += 1
    while end > start and text[end - 1] in _QUOTES and not _opens(text[start : end - 1]):
        end -= 1
    if (start, end) == (0, len(text)) or start >= end:
        return mention
    return _narrowed(mention, start, end)


_QUOTES = '"“”‘’'  # quote marks; not the apostrophe, which may end a word ("officials'")


def _closes(rest: str) -> bool:
    return '"' in rest or "”" in rest


def _opens(rest: str) -> bool:
    return '"' in rest or "“" in rest


def _said(word: re.Match[str], asked: set[str]) -> bool:
    """The question has the word (every part of a hyphenated one: "multi-purpose")."""
    parts = normalise_key(word.group()).split()
    return bool(parts) and all(p in asked for p in parts)


def fullest_name(
    mention: Mention, sentence: Sentence, passages: Sequence[Passage], analysis: Analysis
) -> tuple[Mention, Sentence] | None:
    """The fullest form of a name stated in part ("Bankman-Fried", "Vikings") in the passages
    ("Sam Bankman-Fried"), from the article of its `sentence` first, with the sentence that
    gives it; None when there is none. Only sentences with a capitalised word right before
    the name are parsed; the question's own words are left out as in `trimmed`."""
    from rag.nlp import parse

    if mention.label not in FULL_NAMES:
        return None
    before = re.compile(r"[A-Z][\w’'.-]*\s+" + re.escape(mention.text) + r"\b")
    own = sentence.passage.article_id
    ordered = sorted(enumerate(passages, 1), key=lambda rp: rp[1].article_id != own)
    for rank, passage in ordered:
        for span in passage_sentences(passage.text, passage.start):
            if not before.search(span.text):
                continue
            for other in mentions(parse(span.text), span.start):
                if other.label != mention.label or not other.key.endswith(" " + mention.key):
                    continue
                if (named := trimmed(other, analysis)).key != mention.key:
                    return named, Sentence(passage, rank, span, frozenset())
    return None
