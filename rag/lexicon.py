"""The small English word lists the claim checker reasons with: honorifics, negators, light
and control verbs, verbs whose two sides can swap, and antonyms."""

from __future__ import annotations

HONORIFICS = frozenset("dr mr mrs ms miss prof sir dame rev gen col capt sgt lt the".split())
NEGATORS = frozenset("not n't never no none neither nor without".split())
NEGATIVE_CONTROL = frozenset("fail refuse decline stop cease avoid neglect".split())
CONTROL = NEGATIVE_CONTROL | frozenset(
    "want try seek plan hope decide agree attempt aim expect intend need like love begin start "
    "continue choose promise threaten vow pledge manage wish prepare".split()
)
LIGHT = frozenset("be have do say tell report add state claim note accord make get".split())
SYMMETRIC = frozenset(
    "meet marry talk speak negotiate clash fight play face agree ally partner merge tie draw "
    "battle compete confer debate discuss date divorce".split()
)
_ANTONYMS = {
    "accept": "reject refuse decline",
    "approve": "reject veto",
    "agree": "disagree refuse",
    "allow": "ban forbid prohibit bar block",
    "win": "lose",
    "gain": "lose",
    "rise": "fall drop decline",
    "increase": "decrease cut reduce lower",
    "support": "oppose",
    "confirm": "deny",
    "admit": "deny",
    "include": "exclude",
    "open": "close shut",
    "join": "leave quit",
    "succeed": "fail",
    "pass": "fail",
    "buy": "sell",
    "hire": "fire",
    "convict": "acquit",
    "guilty": "innocent",
    "alive": "dead",
    "start": "end stop",
    "begin": "end",
    "expand": "shrink",
    "strengthen": "weaken",
    "remember": "forget",
    "arrive": "depart",
    "present": "absent",
    "true": "false",
    "possible": "impossible",
    "legal": "illegal",
}
OPPOSITE: dict[str, frozenset[str]] = {}  # word -> the words it is the opposite of
for _base, _words in _ANTONYMS.items():
    for _word in _words.split():
        OPPOSITE[_word] = OPPOSITE.get(_word, frozenset()) | {_base}
NEGATIVE_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")


def relation(first: str, second: str) -> str | None:
    """ "same" for one word, "opposite" for antonyms ("accept", "reject"; "willing",
    "unwilling"), None for unrelated words."""
    if first == second:
        return "same"
    if second in OPPOSITE.get(first, ()) or first in OPPOSITE.get(second, ()):
        return "opposite"
    if OPPOSITE.get(first, frozenset()) & OPPOSITE.get(second, frozenset()):
        return "same"  # "reject" and "refuse", both opposites of "accept"
    for shorter, longer in ((first, second), (second, first)):
        if len(shorter) > 3 and any(longer == p + shorter for p in NEGATIVE_PREFIXES):
            return "opposite"
    return None
