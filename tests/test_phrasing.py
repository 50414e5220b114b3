"""How a chosen candidate is said: the edges of its span. Real spaCy, invented sentences."""

from __future__ import annotations

import pytest

from rag.mentions import AMOUNTS, Mention, mentions, normalise_key
from rag.nlp import parse
from rag.phrasing import trimmed
from rag.question import analyse


def _said(sentence: str, question: str, labels: frozenset[str] | None = None) -> set[str]:
    """Every mention of the sentence (of `labels`, when given) as it would be said for the
    question; each is checked to be the article's own text at its offsets."""
    analysis = analyse(question)
    said = set()
    for mention in mentions(parse(sentence), 0):
        if labels is not None and mention.label not in labels:
            continue
        bare = trimmed(mention, analysis)
        assert sentence[bare.start : bare.end] == bare.text
        said.add(bare.text)
    return said


@pytest.mark.parametrize(
    ("sentence", "question", "name"),
    [
        (
            "Singer and radio host Mara Quill will open the festival.",
            "Which singer will open the festival?",
            "Mara Quill",
        ),
        (
            "The band's drummer, veteran session player Tom Ruddle, left.",
            "Who left the band?",
            "Tom Ruddle",
        ),
    ],
)
def test_a_person_is_said_without_joining_words_or_the_words_that_describe_them(
    sentence: str, question: str, name: str
) -> None:
    said = _said(sentence, question)
    assert name in said
    assert not any(s.startswith(("and ", "radio ", "veteran ")) for s in said)


def test_a_phrase_is_said_without_a_common_nouns_possessive_in_front() -> None:
    said = _said(
        "The mayor will attend this year's Harbour Lights Parade on Friday.",
        "Which event will the mayor attend?",
    )
    assert "Harbour Lights Parade" in said
    assert not any(s.startswith("year") for s in said)


def test_no_mention_is_left_with_an_unpaired_quote_mark() -> None:
    said = _said(
        'Two men were charged with leading the "Blue Hand Network", police said.',
        "Two men were charged with leading a group known as what?",
    )
    assert "Blue Hand Network" in said
    assert all(s.count('"') % 2 == 0 for s in said)


def test_a_particle_that_opens_a_surname_stays() -> None:
    text = "de Vries"
    surname = Mention(text, 0, len(text), "PERSON", normalise_key(text), 0, 2, True)
    assert trimmed(surname, analyse("Who chaired the meeting?")).text == "de Vries"


@pytest.mark.parametrize(
    ("sentence", "question", "amount"),
    [
        (
            "More than 1,200 people were detained in the port city.",
            "Approximately how many people were detained?",
            "1,200",
        ),
        (
            "Nearly 2.4 million applications are waiting for a decision.",
            "How many applications are waiting?",
            "2.4 million",
        ),
        (
            "The survey found that just over 60% of the valley is at risk.",
            "What percentage of the valley is at risk?",
            "60%",
        ),
        (
            "The plan would mobilize as many as 5,000 reserve troops by spring.",
            "Up to how many reserve troops would the plan mobilize?",
            "5,000",
        ),
    ],
)
def test_an_amount_is_said_without_the_words_that_hedge_it(
    sentence: str, question: str, amount: str
) -> None:
    """The answer is the number; the quoted sentence keeps "more than", "nearly", "just
    over" (the offsets point at the number in the article)."""
    assert _said(sentence, question, AMOUNTS) == {amount}


def test_an_amount_without_a_number_keeps_its_words() -> None:
    """ "About a third" has no number to stand for it; "450" has no hedge."""
    said = _said("About a third of the 450 members voted.", "How many members voted?", AMOUNTS)
    assert said == {"About a third", "450"}


def test_a_country_in_its_official_form_is_said_by_its_common_name() -> None:
    said = _said(
        "The Republic of Rwanda reported new cases of the virus on Friday.",
        "Which country reported new cases of the virus?",
        frozenset({"GPE"}),
    )
    assert said == {"Rwanda"}


def test_a_name_after_the_type_noun_is_said_without_the_words_before_it() -> None:
    said = _said(
        "Regulators approved a pill version of Halvor Pharma's weight-loss drug Slimora.",
        "Regulators approved a pill version of which Halvor Pharma weight-loss drug?",
    )
    assert "Slimora" in said
    assert not any(s.endswith("drug Slimora") for s in said)


def test_a_place_whose_name_holds_a_countrys_is_said_whole() -> None:
    said = _said(
        "The capsule landed in the New Mexico desert on Saturday.",
        "In which state's desert did the capsule land?",
        frozenset({"GPE"}),
    )
    assert said == {"New Mexico"}


def test_a_thing_owned_by_a_name_is_said_without_its_owner() -> None:
    said = _said(
        "After serving as the iconic NASCAR event's grand marshal in 2020, he stayed away.",
        "At the 2020 race he served as what?",
    )
    assert "grand marshal" in said and not any("event's" in s for s in said)


def test_a_date_is_said_by_its_year_where_a_year_is_asked() -> None:
    sentence = "On June 28, 1894, Congress passed an act making the day a holiday."
    assert "1894" in _said(sentence, "In what year did Congress make the day a holiday?")
    assert "June 28, 1894" in _said(sentence, "When did Congress make the day a holiday?")


def test_a_day_of_a_month_is_said_without_the_words_around_it() -> None:
    said = _said("The rule stays on hold until midnight December 21.", "Until when is it on hold?")
    assert "December 21" in said and "midnight December 21" not in said
    assert "March 3" in _said("Harbour Day falls on March 3 every year.", "On what date is it?")


def test_a_name_asked_for_is_said_without_the_words_describing_it() -> None:
    said = _said(
        "The zoo will receive male panda Bao Li next year.",
        "What is the name of the male the zoo will receive?",
    )
    assert "Bao Li" in said and not any(s.startswith(("male", "panda")) for s in said)


def test_a_name_is_said_without_the_lower_case_words_describing_it_unless_a_sort_is_asked() -> None:
    sentence = "A mudslide destroyed more than 100 homes in coastal Brookhaven five years ago."
    said = _said(sentence, "Which California town did a mudslide hit five years ago?")
    assert "Brookhaven" in said and "coastal Brookhaven" not in said
    assert "coastal Brookhaven" in _said(sentence, "What kind of town did the mudslide hit?")
