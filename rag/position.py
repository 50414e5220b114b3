"""Where a mention stands in its sentence, measured against the question (`rag.question`):
under the question's own words as a title, near its focus words, hanging from the word the
answer hangs from, or standing where a question's "what" stands. Words are compared by their
stems (`stem_of`: a sentence's words -> stems)."""

from __future__ import annotations

from typing import Any

from rag.mentions import Mention
from rag.question import Analysis


def described(mention: Mention, doc: Any, focus_stems: set[str], stem_of: dict[str, str]) -> bool:
    """The mention carries the question's own words as its title ("Sindh Governor Kamran
    Tessori" for "... met the Sindh governor?"): it is what the question refers to, not the
    answer."""
    before = []
    i = mention.first - 1
    while i >= 0 and doc[i].dep_ in ("compound", "amod", "nmod") and doc[i].head.i >= mention.first:
        before.append(doc[i])
        i -= 1
    return any(stem_of.get(t.lower_, t.lower_) in focus_stems for t in before)


def proximity(mention: Mention, doc: Any, focus_stems: set[str], stem_of: dict[str, str]) -> float:
    """In [0, 1]: how close the mention stands to the question's focus words in its sentence,
    and whether it is an argument of a verb the question uses."""
    positions = [t.i for t in doc if stem_of.get(t.lower_, t.lower_) in focus_stems]
    positions = [p for p in positions if not mention.first <= p < mention.last]
    if not positions:
        return 0.0
    ends = (mention.first, mention.last - 1)
    distances = sorted(min(abs(p - e) for e in ends) for p in positions)[:3]
    near = sum(1.0 / (1.0 + d / 3.0) for d in distances) / 3.0
    head = doc[mention.last - 1]
    while head.head.i != head.i and head.pos_ not in ("VERB", "AUX"):  # up to the clause's verb
        head = head.head
    argument = stem_of.get(head.lower_, head.lower_) in focus_stems
    return min(1.0, near + 0.3 * argument)


def fills_slot(mention: Mention, doc: Any, slot_stem: str, stem_of: dict[str, str]) -> bool:
    """The mention hangs (through prepositions) from the word the question's answer hangs
    from: "a partial breakup of Google" for "... a partial breakup of which company?"."""
    head = doc[mention.last - 1].head
    while head.pos_ in ("ADP", "AUX", "PART") and head.head.i != head.i:
        head = head.head
    return stem_of.get(head.lower_, head.lower_) == slot_stem


def stands_in_place(
    mention: Mention, doc: Any, analysis: Analysis, slot: str, stem_of: dict[str, str]
) -> bool:
    """The mention stands where the question's "what" stands, below the word `slot` (stemmed):
    the object of the same preposition ("contaminated with listeria", "the risk of developing
    diabetes" for "... risk of what?"), an object, not the subject, where the question has no
    preposition, or the modifier of that word itself ("a salmonella outbreak" for "an
    outbreak of what?")."""
    root = doc[mention.first : mention.last].root
    if stem_of.get(root.lower_, root.lower_) == slot and analysis.slot_via == "of":
        return any(c.dep_ in ("compound", "amod", "nmod") and c.i < root.i for c in root.children)
    step, preps = root, []
    while step.head.i != step.i and stem_of.get(step.head.lower_, step.head.lower_) != slot:
        head = step.head
        if head.pos_ == "ADP":
            preps.append(head.lower_)
        elif not (head.tag_ == "VBG" and head.dep_ == "pcomp"):  # "of developing diabetes"
            break
        step = head
    if stem_of.get(step.head.lower_, step.head.lower_) != slot or step.head.i == step.i:
        return False
    if analysis.slot_via:
        return analysis.slot_via in preps
    return root.dep_ not in ("nsubj", "nsubjpass")
