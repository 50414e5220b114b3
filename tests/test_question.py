"""Question analysis on real question shapes (news quizzes, multi-hop, the shipped set)."""

from __future__ import annotations

import pytest

from rag.answer_types import (
    DATE,
    DESCRIPTION,
    NUMBER,
    ORDER,
    ORGANISATION,
    PERSON,
    PLACE,
    THING,
    VERDICT,
    WORK,
)
from rag.question import analyse

SHAPES = [
    # (question, answer type, type noun)
    ("Who is the governor of Sindh?", PERSON, "governor"),
    ("Who won the cricket match between Pakistan and India?", PERSON, None),
    ("Which comedian is set to host the 2023 Academy Awards Sunday night?", PERSON, "comedian"),
    ("Which Supreme Court justice published a new memoir this week?", PERSON, "justice"),
    ("Which member of the Trump family got married this week?", PERSON, "member"),
    ("Which airline suffered an operational meltdown this week?", ORGANISATION, "airline"),
    ("Which English rugby union club went into administration this week?", ORGANISATION, "club"),
    ("The value of which tech giant fell below $2tn this week?", ORGANISATION, "giant"),
    ("Which cruise line recently had a ship battered by an intense storm?", ORGANISATION, "line"),
    ("Which MQM faction is headed by Farooq Sattar?", ORGANISATION, "faction"),
    (
        "Which broadcaster reported that the Governor House had become a centre?",
        ORGANISATION,
        "broadcaster",
    ),  # fmt: skip
    ("Which 'Top Gun' filmmaker directed the sequel?", PERSON, "filmmaker"),  # quoted title
    ("Which novelist won the prize this week?", PERSON, "novelist"),  # a person by WordNet
    ("Which long-standing and increasingly divisive holiday falls on Monday?", WORK, "holiday"),
    (
        "Police detained hundreds of students at which elite Tehran university?",
        ORGANISATION,
        "university",
    ),
    ("Unprecedented protests took place in which country?", PLACE, "country"),
    (
        "Which city’s residents consume more hot dogs annually than those of any other city?",
        PLACE,
        "city",
    ),  # fmt: skip
    ("Where did Farooq Sattar meet Tessori?", PLACE, None),
    (
        "Two Delta Air Lines planes collided while taxiing. Where did the incident occur?",
        PLACE,
        None,
    ),  # fmt: skip
    ("In which year did women first compete in the modern Olympics?", DATE, None),
    ("During which month are the Paris 2024 Olympics set to begin?", DATE, None),
    ("On which day of the week did Geo News report on the reunification efforts?", DATE, None),
    ("When was the MQM founded?", DATE, None),
    (
        "Approximately how many people have been arrested during the protests in Iran?",
        NUMBER,
        "people",
    ),  # fmt: skip
    ("What percentage of California is at risk for wildfires?", NUMBER, None),
    ("How much was former President Donald Trump fined Tuesday?", NUMBER, None),
    ("What is the population of Karachi?", NUMBER, "population"),
    ("Which movie won Best Picture at the 96th Academy Awards?", WORK, "movie"),
    ("Millions of people are celebrating which holiday this week?", WORK, "holiday"),
    ("Which animal is facing extinction in Wales due to a deadly virus?", THING, "animal"),
    ("The US this week formally banned which mineral?", THING, "mineral"),
    (
        "Which type of livestock in the US is being impacted by a bird flu outbreak?",
        THING,
        "livestock",
    ),  # fmt: skip
    (
        "What is the name of the hurricane threatening to dump heavy rain on California?",
        THING,
        "hurricane",
    ),  # fmt: skip
    ("What is the biggest security threat in the Asia-Pacific region?", THING, "threat"),
    ("Two US citizens were charged with running a group known as what?", THING, None),
    ("A short walk after dinner can help lower what?", THING, None),
    ("The recalled spinach may have been contaminated with what?", THING, None),
    ("Which 76-year-old singer's farewell tour was cancelled this week?", PERSON, "singer"),
    ("What is the storm's name?", THING, "storm"),
    ("Which Pixar animated sequel broke a box office record?", THING, "sequel"),
    ("Which state-owned bank collapsed this week?", ORGANISATION, "bank"),
    ("What kind of fuel hit record prices this week?", THING, "fuel"),
    ("What is the border rule commonly called?", THING, "rule"),
    ("Which Republican won races in Ohio?", PERSON, "republican"),
    ("What did Sattar demand?", DESCRIPTION, None),
    # an auxiliary before a bare plural subject is no modifier of a type noun
    ("What did researchers find?", DESCRIPTION, None),
    ("What do experts recommend?", DESCRIPTION, None),
    ("What have carmakers and fruit companies redesigned?", DESCRIPTION, None),
    ("Which vaccines do doctors recommend?", THING, "vaccines"),
    # ... nor a copula that is the auxiliary of what a bare plural does
    ("What are officials doing about the flooding?", DESCRIPTION, None),
    ("What were investors worried about?", DESCRIPTION, None),
    ("What are the biggest threats facing farmers?", THING, "threats"),
    # the noun a title question asks about is the phrase's head, past its modifiers
    ("Who is the new prime minister of Japan?", PERSON, "minister"),
    ("Who was the MQM's founder?", PERSON, "founder"),
    ("Which of the two candidates won?", PERSON, "candidate"),  # partitive
    ("What's the death toll?", THING, "toll"),  # contracted copula
    ("Who's the new CEO of OpenAI?", PERSON, "ceo"),
    ("Which of Apple's products were recalled?", THING, "products"),
    ("At which of his Florida properties did he speak?", THING, "properties"),
    ("What is Sattar's condition for rejoining the MQM-P?", DESCRIPTION, "condition"),
    (
        "What kind of arrangement does the PSP prefer instead of joining the MQM-P?",
        THING,
        "arrangement",
    ),  # fmt: skip
    (
        "Why does the PSP prefer an alliance with the MQM-P instead of joining it?",
        DESCRIPTION,
        None,
    ),  # fmt: skip
    ("Is that acceptable to the MQM-P?", VERDICT, None),
    (
        "Does 'The Sydney Morning Herald' suggest that the Federal Reserve will cut rates, while "
        "another article indicates that it will not?",
        VERDICT,
        None,
    ),  # fmt: skip
    (
        "Between the report from The Verge published on November 1, 2023, and the report from "
        "TechCrunch published later, was there a change in the portrayal of Google?",
        VERDICT,
        None,
    ),  # fmt: skip
    (
        "Was the defensive performance of Carter-Vickers reported by Sporting News before or after "
        "Sporting News reported on Erik ten Hag's team?",
        ORDER,
        None,
    ),  # fmt: skip
]


@pytest.mark.parametrize(("question", "kind", "noun"), SHAPES, ids=[s[0][:48] for s in SHAPES])
def test_answer_type_of_real_question_shapes(question: str, kind: str, noun: str | None) -> None:
    analysis = analyse(question)
    assert analysis.answer_type == kind
    assert analysis.type_noun == noun


@pytest.mark.parametrize(
    ("question", "options"),
    [
        ("Is that acceptable to the MQM-P?", ("yes", "no")),
        (
            "Between the Sporting News articles of 2023-10-02 and 2023-11-06, has the "
            "explanation remained consistent or inconsistent?",
            ("consistent", "inconsistent"),
        ),  # fmt: skip
        (
            "Was X reported by Sporting News before or after Sporting News reported Y?",
            ("before", "after"),
        ),  # fmt: skip
    ],
)
def test_verdict_options(question: str, options: tuple[str, str]) -> None:
    assert analyse(question).options == options


def test_focus_leaves_out_the_type_noun_and_plural_is_seen() -> None:
    analysis = analyse("Which PSP leaders met the Sindh governor?")
    assert analysis.answer_type == PERSON
    assert analysis.plural
    assert "leaders" not in analysis.focus
    assert {"met", "sindh", "governor"} <= set(analysis.focus)
    assert not analyse("Which PSP leader was acceptable to the MQM-P?").plural


def test_kinds_group_into_factoid_and_verdict() -> None:
    assert analyse("Who is the governor of Sindh?").is_factoid
    assert analyse("The US this week formally banned which mineral?").is_factoid
    assert not analyse("What did Sattar demand?").is_factoid
    assert analyse("Is that acceptable to the MQM-P?").is_verdict


@pytest.mark.parametrize(
    ("question", "by_position"),
    [
        ("The recalled spinach may have been contaminated with what?", True),
        ("The border wall was built out of what?", True),
        ("Musk had offered them what, after polling his followers?", True),
        ("Two US citizens were charged with running a group known as what?", False),
        ("The storm was nicknamed what?", False),  # one list of naming verbs
        ("The US this week formally banned which mineral?", False),
    ],
)
def test_an_answer_named_only_by_its_place_must_stand_there(
    question: str, by_position: bool
) -> None:
    assert analyse(question).by_position is by_position


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("What is the storm's name?", True),
        ("What is the name of the hurricane threatening California?", True),
        ("What name did the couple give their baby?", True),
        ("Which animal is facing extinction in Wales?", False),
        ("Which type of business did the chain sell?", False),
    ],
)
def test_a_question_asking_for_a_name_is_seen(question: str, named: bool) -> None:
    assert analyse(question).named is named


def test_who_is_he_asks_for_the_person_the_scene_names() -> None:
    analysis = analyse("The club sacked its manager, who had won the league in 2021. Who is he?")
    assert (analysis.answer_type, analysis.type_noun) == (PERSON, "manager")
    assert analyse("The novelist left the festival early. Who was she?").type_noun == "novelist"
    assert analyse("Who is he?").type_noun is None
    contracted = analyse("The network dropped its evening anchor last month. Who's she?")
    assert (contracted.answer_type, contracted.type_noun) == (PERSON, "anchor")


def test_a_relative_pronoun_is_not_the_question_word() -> None:
    analysis = analyse("People who drink coffee have a lower risk of what?")
    assert (analysis.slot, analysis.slot_via) == ("risk", "of")
    assert analyse("Who drank the coffee that was left?").slot == "drank"


def test_the_preposition_before_what_is_kept_with_the_slot() -> None:
    analysis = analyse("The recalled spinach may have been contaminated with what?")
    assert (analysis.slot, analysis.slot_via) == ("contaminated", "with")
    assert analyse("A short walk can help lower what?").slot_via is None


def test_the_word_right_before_the_preposition_is_kept_where_the_parser_hangs_it_higher() -> None:
    analysis = analyse("The farm widened its spinach recall over contamination with what?")
    assert (analysis.slot, analysis.slot_via) == ("widened", "with")  # the parser's slip
    assert analysis.slot_near == "contamination"
    assert analyse("The recalled spinach may have been contaminated with what?").slot_near is None
    assert analyse("The state built the wall out of what?").slot_near == "wall"
