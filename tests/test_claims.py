"""Agreement between a claim and a passage sentence beyond shared words: negation, numbers,
dates, names by their distinctive parts, who did what to whom (real spaCy parse, no LLM)."""

from __future__ import annotations

import pytest

from rag.agree import contradicts, disagreement
from rag.claims import analyse
from rag.lexicon import relation
from rag.quantities import numbers, times

OFFER = (
    "MQM-P sources told The News that the party convener, Dr Khalid Maqbool Siddiqui, has offered "
    "Sattar to rejoin the party without laying down any conditions."
)
WILLING = (
    "Meanwhile, Sattar is reportedly not willing to join the MQM-P without his demand being met "
    "as he wants to be restored as the party chief."
)
KAIMKHANI = (
    "About the PSP, MQM-P sources said Kamal had spoken too much against many MQM-P leaders in the "
    "past and they would not accept him as a leader in the party, but Kaimkhani was somehow "
    "acceptable to the party."
)
MET = (
    "After his meeting with the governor, Dr Sattar issued a brief statement, which reads that he "
    "had met Tessori at the Governor House and discussed matters of mutual interest."
)
GEO = (
    "Geo News also reported on Monday that the Governor House had become a centre of efforts to "
    "reunite various factions of the MQM as Tessori had been meeting leaders of the MQM-P."
)
CONTEXT = frozenset("farooq sattar tessori siddiqui kamal kaimkhani governor".split())

# passage sentence, claim, the words the reason must hold ("" = the claim is backed)
TABLE = [
    (KAIMKHANI, "Kaimkhani was acceptable to the MQM-P.", ""),
    (KAIMKHANI, "Kaimkhani was not acceptable to the MQM-P.", "not negated"),
    (KAIMKHANI, "The MQM-P would not accept Kamal as a leader.", ""),
    (KAIMKHANI, "The MQM-P would accept Kamal as a leader.", "negated in passage"),
    (KAIMKHANI, "Mustafa Kamal was somehow acceptable to the MQM-P.", "Kaimkhani"),
    (WILLING, "Sattar is willing to join the MQM-P without any demand.", "negated in passage"),
    (WILLING, "Sattar is not willing to join the MQM-P unless his demand is met.", ""),
    (WILLING, "Sattar wants to be restored as the party chief.", ""),
    (WILLING, "Sattar will join the MQM-P.", "negated in passage"),
    (OFFER, "Siddiqui offered Sattar to rejoin the party with conditions.", "without"),
    (OFFER, "Siddiqui offered Sattar to rejoin the party without any conditions.", ""),
    (OFFER, "Sattar offered Sattar to rejoin the party.", "Siddiqui offered"),
    (OFFER, "Sattar offered Siddiqui to rejoin the party.", "roles swapped"),
    (OFFER, "Sattar was offered a return by Siddiqui.", "return"),
    (MET, "Farooq Sattar met Tessori at the Governor House.", ""),
    (MET, "Tessori met Sattar at the Governor House.", ""),
    (MET, "Sattar did not meet Tessori.", "not negated"),
    (MET, "Sattar met Siddiqui at the Governor House.", "Tessori"),
    (GEO, "Geo News reported on Tuesday that the Governor House had become a centre.", "Monday"),
    (GEO, "On Monday, Geo News reported that the Governor House was a centre of efforts.", ""),
    (GEO, "Dawn News reported on Monday that the Governor House had become a centre.", "Geo"),
    (GEO, "Geo News reported in 2021 that the Governor House had become a centre.", "2021"),
    (GEO, "Sattar has been arrested.", "mention Sattar"),
    (MET, "Sattar has been arrested.", "arrested"),
]


@pytest.mark.parametrize(("passage", "claim", "why"), TABLE, ids=[c for _, c, _ in TABLE])
def test_agreement_table(passage: str, claim: str, why: str) -> None:
    reason = disagreement(analyse(claim), analyse(passage), CONTEXT)
    if not why:
        assert reason is None
    else:
        assert reason is not None and why in reason


def test_names_match_by_their_distinctive_parts() -> None:
    span = analyse("Mayor Lena Ortiz said the money would arrive next spring.")
    assert disagreement(analyse("Ortiz said the money would arrive next spring."), span) is None
    wrong = disagreement(
        analyse("Mayor Carla Ortiz said the money would arrive next spring."), span
    )
    assert wrong == "passage says Mayor Lena Ortiz, not Mayor Carla Ortiz"


def test_amounts_compare_by_value() -> None:
    assert set(numbers("40 million dollars")) == set(numbers("40,000,000 dollars"))
    assert "5%" in numbers("5 percent") and "5%" in numbers("5%")
    assert "2022" not in numbers("in 2022") and times("in 2022") == {"year:2022": "2022"}
    reason = disagreement(
        analyse("The plan costs 90 million dollars."), analyse("The plan costs 40 million dollars.")
    )
    assert reason == "passage says 40 million, not 90 million" and contradicts(reason)


def test_antonyms_and_negative_prefixes() -> None:
    assert relation("accept", "reject") == "opposite"
    assert relation("reject", "refuse") == "same"
    assert relation("willing", "unwilling") == "opposite"
    assert relation("meet", "offer") is None
    assert not contradicts("passage does not say “arrested”")


CONDITION = (
    "Ortiz will not sign the deal without her demand being met as she wants a new bridge. "
    "This condition by Ortiz is not acceptable to the council."
)
GOVERNOR = "The governor held a meeting with Ana Ruiz and discussed the budget."
GOVERNOR_ARTICLE = (
    "Riverside Governor Tom Blake visited the port. He later opened the Governor House.\n"
    + GOVERNOR
)
COUNCIL = (
    "Officials told reporters that council members Ana Ruiz and Ben Cole, and the union leader "
    "discussed the budget with the mayor who tried to win them over."
)


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("Ortiz's condition for signing the deal is that she wants a new bridge.", ""),
        ("Ortiz's condition is acceptable to the council.", "negated in passage"),
        ("Ortiz will sign the deal.", "negated in passage"),
    ],
)
def test_negation_belongs_to_its_own_clause(claim: str, why: str) -> None:
    """A copula is compared with one that says the same thing of the same subject: the "is not"
    of "is not acceptable" does not negate the claim's "is that she wants ..."."""
    reason = disagreement(analyse(claim), analyse(CONDITION))
    assert reason is None if not why else why in str(reason)


@pytest.mark.parametrize(
    ("claim", "article", "why"),
    [
        ("Ana Ruiz met the Riverside governor.", GOVERNOR_ARTICLE, ""),
        ("Ana Ruiz met Riverside Governor Blake.", GOVERNOR_ARTICLE, ""),
        ("Ana Ruiz met the Riverside governor.", GOVERNOR, "does not mention Riverside"),
        ("Ana Ruiz met the Lakeside governor.", GOVERNOR_ARTICLE, "does not mention Lakeside"),
        ("Ben Cole met the Riverside governor.", GOVERNOR_ARTICLE, "does not mention Ben Cole"),
        ("Ana Ruiz met the governor at the Governor House.", GOVERNOR_ARTICLE, "Governor House"),
    ],
)
def test_a_title_the_article_gives_is_not_missing(claim: str, article: str, why: str) -> None:
    """The span's "the governor" is the article's "Riverside Governor Tom Blake"; a name
    found only elsewhere in the article still is not."""
    span = analyse(GOVERNOR)
    reason = disagreement(analyse(claim), span, span.words, None, article)
    if not why:
        assert reason is None or "mention" not in reason
    else:
        assert reason is not None and why in reason


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("Ana Ruiz and Ben Cole, and the union leader discussed the budget with the mayor.", ""),
        ("Council members Ana Ruiz and Ben Cole discussed the budget with the mayor.", ""),
        ("Carl Diaz discussed the budget with the mayor.", "Carl Diaz"),
    ],
)
def test_coordinated_subjects_compare_as_sets(claim: str, why: str) -> None:
    reason = disagreement(analyse(claim), analyse(COUNCIL))
    assert reason is None if not why else why in str(reason)
