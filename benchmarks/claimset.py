"""The claim set of benchmarks/claim_check.py, built at run time from the shipped article and the
RealTimeQA dev evidence (read from ../shared/data, never stored in the project).

Each claim is checked against a set of passages: the shipped article's passages, or, for a
RealTimeQA question, its evidence paragraph and the passages retrieved for the question from
the same-topic articles. True claims: each sentence verbatim, shortened forms of it (reported
speech and lead-ins dropped, first clause, names shortened), the clause holding the quiz answer,
and paraphrases written by hand for the shipped article. False claims: each sentence negated (or
its negation dropped), its subject and object swapped, a number, year, month or weekday changed,
a name replaced by one from another story, the quiz answer replaced by a wrong choice, a sentence
of another story, and hand-written false claims (those the issue planted among them).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.catalog import Filters
from rag.ingest import parse_records, read_sources
from rag.lexicon import SYMMETRIC
from rag.nlp import parse
from rag.retrieve import Passage, Weights, search

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_KEY = "tessori"
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = (
    "January February March April May June July August September October November December"
).split()
REPORTING = frozenset("say tell report announce add state note explain write confirm".split())

HAND_TRUE = [
    "Kamran Tessori, the governor of Sindh, has been trying to unite the factions of the MQM.",
    "Farooq Sattar met Tessori at the Governor House.",
    "Farooq Sattar heads the MQM-Restoration Committee.",
    "Siddiqui has offered Sattar to rejoin the party without any conditions.",
    "Sattar wants to be restored as the party chief.",
    "Sattar is not willing to join the MQM-P unless his demand is met.",
    "The MQM-P top leadership is reluctant to bring Sattar into the party's fold.",
    "The MQM-P would not accept Kamal as a leader.",
    "Kaimkhani was acceptable to the MQM-P.",
    "The PSP wants to keep its separate identity.",
    "The PSP is willing to form a political alliance with the MQM-P instead of joining it.",
    "The doors of the MQM-P are open for everyone.",
    "Those who want to join the MQM-P must not dictate their terms.",
    "The governor discussed the problems of Karachi's residents with Kamal and Kaimkhani.",
    "Sattar and the governor agreed to work together to fill the political vacuum in the city.",
    "On Monday, Geo News reported that the Governor House had become a centre of efforts to "
    "reunite the MQM factions.",
    "Siddiqui, Sattar and Kamal have met the governor several times in a few days.",
    "All the parties have agreed on further talks in the near future.",
    "Siddiqui assured Sattar that the party would give him a suitable role if he rejoins.",
    "Dr Sattar issued a brief statement after his meeting with the governor.",
    "Kamal had spoken too much against many MQM-P leaders in the past.",
    "The governor tried to convince them to join hands with the leaders of the MQM-P.",
    "The meetings of the governor have not resulted in a major breakthrough.",
    "Many secondary leaders of the MQM-P do not find Sattar's condition acceptable.",
]
HAND_FALSE = [
    "Kaimkhani was not acceptable to the MQM-P.",
    "Sattar is willing to join the MQM-P without any demand.",
    "Siddiqui has offered Sattar to rejoin the party with conditions.",
    "Geo News reported on Tuesday that the Governor House had become a centre of efforts to "
    "reunite the MQM factions.",
    "Sattar offered Sattar to rejoin the party.",
    "Sattar offered Siddiqui to rejoin the party without laying down any conditions.",
    "The MQM-P would accept Kamal as a leader.",
    "The PSP wants to join the MQM-P.",
    "The recent meetings of the governor have resulted in a major breakthrough.",
    "Siddiqui, Sattar and Kamal have never met the governor.",
    "The governor held a detailed meeting with Siddiqui and Sattar.",
    "Farooq Sattar heads the Pak Sarzameen Party.",
    "Mustafa Kamal was somehow acceptable to the MQM-P.",
    "Sattar met Siddiqui at the Governor House.",
    "The governor has held separate meetings with PTI leaders.",
    "The MQM-P holds 10 seats in the National Assembly.",
    "The Muttahida Qaumi Movement was founded in 1947.",
    "Sattar has been arrested.",
    "The doors of the MQM-P are closed for everyone.",
    "The two sides agreed to work together to fill the political vacuum in Lahore.",
    "Siddiqui refused to offer Sattar a role in the party.",
    "Sattar wants to be restored as the party convener.",
]


@dataclass(frozen=True)
class Case:
    """A claim, whether its passages support it, and where it came from."""

    group: str  # the source sentence: claims made from one sentence share it (tune/report)
    kind: str
    text: str
    label: bool
    passages: str  # key of its passage set

    @property
    def half(self) -> str:
        return "tune" if zlib.crc32(self.group.encode()) % 2 == 0 else "report"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def sentences(text: str) -> list[str]:
    from rag.clean import sentence_spans

    flat = " ".join(text.split())
    return [flat[s:e] for s, e in sentence_spans(flat) if len(flat[s:e].split()) >= 5]


# -- passage sets --------------------------------------------------------------------------------
def build_store(store: Any, data: Path) -> None:
    """The shipped article, the RealTimeQA evidence paragraphs and, per question, two
    same-topic articles that do not hold its answer (idempotent)."""
    rtqa = data / "realtimeqa"
    questions = read_jsonl(rtqa / "questions_dev.jsonl")
    records = {r["id"]: r for r in read_jsonl(rtqa / "articles_dev.jsonl")}
    wanted = {doc for q in questions for doc in q["evidence_doc_ids"]}
    for q in questions:
        silver = set(q.get("silver_answer_doc_ids") or [])
        others = [d for d in q.get("retrieved_article_ids") or [] if d not in silver]
        wanted |= {d for d in others[:2] if d in records}
    lines = "\n".join(json.dumps(records[d]) for d in sorted(wanted) if d in records)
    store.add(read_sources([str(ROOT / "corpus")], 10**8))
    store.add(parse_records(lines, "realtimeqa", lines=True))


def article_passages(store: Any) -> list[Passage]:
    articles = [a["id"] for a in store.list_articles() if a["source"] == "The News"]
    spans = sorted(
        (position, chunk_id)
        for article_id in articles
        for chunk_id, position, _, _ in store.catalog.chunk_spans(article_id)
    )
    found = store.chunk_rows([chunk_id for _, chunk_id in spans])
    return [_passage(found[chunk_id]) for _, chunk_id in spans]


def _passage(row: Any) -> Passage:
    fields = ("chunk_id", "article_id", "title", "source", "published_at", "url", "start", "end")
    return Passage(**{f: getattr(row, f) for f in fields}, text=row.text, score=1.0)


def question_passages(store: Any, question: dict[str, Any], k: int) -> list[Passage]:
    """What the question retrieves, as of its date, with its evidence paragraph kept."""
    found = search(
        store, question["question"], k, Filters(as_of=question["question_date"]), Weights()
    )
    gold = question["evidence_doc_ids"][0]
    if not any(p.article_id == gold for p in found):
        first = store.catalog.chunk_spans(gold)[0][0]
        chunk = store.chunk_rows([first])[first]
        found = [_passage(chunk), *found[: k - 1]]
    return found


# -- claims ----------------------------------------------------------------------------------------
def claims_of(sentence: str, group: str, key: str, outside: str) -> Iterator[Case]:
    """The true and false claims made from one sentence of a passage set (`outside`: words
    no passage of the set holds, e.g. a name from another story)."""
    yield Case(group, "verbatim", sentence, True, key)
    for text in dict.fromkeys(shortened(sentence)):
        if text != sentence and len(text.split()) >= 5:
            yield Case(group, "shortened", text, True, key)
    for kind, text in falsified(sentence, outside):
        yield Case(group, kind, text, False, key)


def shortened(sentence: str) -> Iterator[str]:
    doc = parse(sentence)
    root = next(iter(doc.sents)).root
    if (root.lemma_ in REPORTING) and any(c.dep_ == "ccomp" for c in root.children):
        clause = next(c for c in root.children if c.dep_ == "ccomp")
        yield _sentence(_text(clause, skip={"mark"}))
    lead = re.match(
        r"^(?:meanwhile|however|according to [^,]+|in the meetings|also),\s+", sentence, re.I
    )
    if lead:
        yield _sentence(sentence[lead.end() :])
    conj = [c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
    if conj:
        cut = min(t.i for t in conj[0].subtree)
        head = doc[:cut].text.rstrip(" ,;")
        yield _sentence(re.sub(r"\s*,?\s*(and|but)$", "", head))
    relative = [t for t in doc if t.dep_ == "relcl" and t.head.pos_ == "PROPN"]
    if relative:
        span = list(relative[0].subtree)
        start, end = span[0].idx, span[-1].idx + len(span[-1].text)
        yield _sentence(
            re.sub(r"\s*,\s*,", ",", (sentence[:start] + sentence[end:])).replace(" ,", ",")
        )
    people = [e for e in doc.ents if e.label_ == "PERSON" and len(e) > 1]
    if people:
        yield _sentence(sentence.replace(people[0].text, people[0][-1].text))


def _text(token: Any, skip: set[str]) -> str:
    kept = [t for t in token.subtree if not (t.head == token and t.dep_ in skip)]
    return "".join(t.text_with_ws for t in kept).strip()


def _sentence(text: str) -> str:
    text = text.strip().rstrip(",;:")
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def falsified(sentence: str, outside: str) -> Iterator[tuple[str, str]]:
    doc = parse(sentence)
    root = next(iter(doc.sents)).root
    main = root
    if root.lemma_ in REPORTING:
        main = next((c for c in root.children if c.dep_ == "ccomp"), root)
    negated = _negate(doc, main)
    if negated:
        yield "negated", negated
    swapped = _swap(doc, main)
    if swapped:
        yield "swapped roles", swapped
    number = re.search(r"(?<![\w.,])(\d+(?:\.\d+)?)(?![\d,])", sentence)
    if number and not re.fullmatch(r"(1[89]|20)\d\d", number.group(1)):
        value = float(number.group(1))
        wrong = value + 3 if value < 10 else round(value * 1.5)
        text = f"{wrong:g}" if "." in number.group(1) else str(int(wrong))
        yield "wrong number", sentence[: number.start()] + text + sentence[number.end() :]
    year = re.search(r"\b((?:19|20)\d\d)\b", sentence)
    if year:
        yield "wrong year", sentence.replace(year.group(1), str(int(year.group(1)) - 1), 1)
    for names, kind in ((WEEKDAYS, "wrong weekday"), (MONTHS, "wrong month")):
        found = next((n for n in names if re.search(rf"\b{n}\b", sentence)), None)
        if found:
            other = names[(names.index(found) + 1) % len(names)]
            yield kind, re.sub(rf"\b{found}\b", other, sentence, count=1)
    people = [e for e in doc.ents if e.label_ in ("PERSON", "ORG", "GPE")]
    if people and outside:
        yield "wrong name", sentence.replace(people[0].text, outside, 1)


def _negate(doc: Any, verb: Any) -> str | None:
    """The sentence with its main verb negated, or its negation taken away."""
    neg = [c for c in verb.children if c.dep_ == "neg"]
    if not neg and verb.dep_ == "acomp":
        neg = [c for c in verb.head.children if c.dep_ == "neg"]
    if neg:
        token = neg[0]
        return _sentence(doc.text[: token.idx] + doc.text[token.idx + len(token.text_with_ws) :])
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.lower_ != "to"]
    if verb.pos_ == "AUX" and not aux:
        aux = [verb]
    if aux:
        first = aux[0]
        end = first.idx + len(first.text)
        return doc.text[:end] + " not" + doc.text[end:]
    if verb.pos_ != "VERB" or not verb.lemma_:
        return None
    helper = {"VBD": "did", "VBZ": "does", "VBP": "do"}.get(verb.tag_)
    if helper is None:
        return None
    return (
        doc.text[: verb.idx] + f"{helper} not {verb.lemma_}" + doc.text[verb.idx + len(verb.text) :]
    )


def _swap(doc: Any, verb: Any) -> str | None:
    """Subject and object of the main verb exchanged ("A offered B" -> "B offered A")."""
    if verb.lemma_ in SYMMETRIC:
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if subject is None or obj is None or "PRON" in (subject.pos_, obj.pos_):
        return None
    a, b = list(subject.subtree), list(obj.subtree)
    a_text = doc.text[a[0].idx : a[-1].idx + len(a[-1].text)]
    b_text = doc.text[b[0].idx : b[-1].idx + len(b[-1].text)]
    if a_text.lower() == b_text.lower() or len(b) > 8:
        return None
    text = doc.text
    swapped = text[: a[0].idx] + b_text + text[a[-1].idx + len(a[-1].text) : b[0].idx] + a_text
    swapped += text[b[-1].idx + len(b[-1].text) :]
    return _sentence(swapped)


def answer_clause(evidence: str, answer: str) -> str | None:
    """The clause of the evidence that holds the quiz answer."""
    for sentence in sentences(evidence):
        if answer.lower() not in sentence.lower():
            continue
        clauses = re.split(r"(?<=[,;:])\s+|\s+[—–]\s+", sentence)
        for i, clause in enumerate(clauses):
            if answer.lower() in clause.lower():
                text = " ".join(clauses[i : i + 2]) if len(clause.split()) < 6 else clause
                return _sentence(text)
    return None
