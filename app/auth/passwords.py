"""Which new passwords are refused, and why: register, reset, change, `flask users create`.

Attackers try the commonest passwords first, on every account they know of, so length alone
is not enough (`aaaaaaaaaa` and `qwertyuiop` are ten characters). Three rules beside the
minimum length, each with its own message so the person knows what to change:
- at least MIN_DISTINCT different characters;
- not a simple pattern: a run along the keyboard, the alphabet or the digits, or one part
  repeated;
- not one of the common passwords in `common_passwords.txt` (its header says where the list
  comes from), also when it is only padded with digits or symbols ("dragon2024!") or spelt
  with the usual look-alike characters ("p@ssw0rd").
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MIN_DISTINCT = 5

TOO_SHORT = f"Use at least {MIN_LENGTH} characters."
TOO_FEW_DIFFERENT = (
    "Use at least {minimum} different characters: this password has only {count}. "
    "Several unrelated words make a good password."
)
PATTERN = (
    "This password is a simple pattern (a run along the keyboard or the alphabet, or one part "
    "repeated), which attackers try first. Several unrelated words make a good password."
)
COMMON = (
    "This password is one of the most common passwords, which attackers try first. "
    "Several unrelated words make a good password."
)

_LIST = Path(__file__).with_name("common_passwords.txt")
# Runs a person types without thinking: along the alphabet, the digits, the keyboard's rows
# and its columns. A password that is a piece of one of them (either way) is a pattern.
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "1234567890-=",
    "qwertyuiop[]asdfghjkl;'zxcvbnm,./",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
)
_LOOK_ALIKES = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "0": "o", "$": "s", "5": "s", "7": "t", "1": "i", "!": "i"}
)
_PADDING = re.compile(r"^[^a-z]+|[^a-z]+$")


@cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _is_run(text: str) -> bool:
    return any(text in run or text in run[::-1] for run in _RUNS)


def _is_repeat(text: str) -> bool:
    """One part said again and again ("abcabcabca", "passpass"), the last time maybe cut."""
    size = len(text)
    return any(text == (text[:k] * (size // k + 1))[:size] for k in range(1, size // 2 + 1))


def _variants(text: str) -> set[str]:
    """The password as an attacker's list would spell it: bare, unpadded, without look-alikes."""
    core = _PADDING.sub("", text)
    return {
        v for v in (text, core, text.translate(_LOOK_ALIKES), core.translate(_LOOK_ALIKES)) if v
    }


def problem(password: str) -> str | None:
    """What is wrong with a new password, as a message for the person; None when it will do."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    distinct = len(set(password.lower()))
    if distinct < MIN_DISTINCT:
        return TOO_FEW_DIFFERENT.format(minimum=MIN_DISTINCT, count=distinct)
    text = password.lower()
    compact = re.sub(r"\s+", "", text)
    if _is_run(compact) or _is_repeat(compact):
        return PATTERN
    common = common_passwords()
    if any(v in common for v in _variants(text) | _variants(compact)):
        return COMMON
    return None
