"""Time phrases: find when a clause says something will happen, and the date it means.

A phrase is found by its shape ("by the 30th", "next tues", "in November", "end of the month"),
then dateparser turns it into a date relative to today, preferring the future. Vague phrases
("after the holidays") get a conventional date. Dates past the horizon are ignored: a follow-up
is about the next weeks, not next year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import dateparser

from ..channels import KIND

__all__ = ["HORIZON_DAYS", "TimeSpan", "default_when", "find_when", "time_spans"]

HORIZON_DAYS = 75


_DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "tues": "Tuesday",
    "wed": "Wednesday",
    "weds": "Wednesday",
    "thu": "Thursday",
    "thur": "Thursday",
    "thurs": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_DAY = r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?(?![a-z])\.?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)"
# Terse notes shorten the time words ("send tmrw a.m.", "by end of next wk"); the phrase found is
# said in full, as the message will say it.
_SHORT = {
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmw": "tomorrow",
    "2moro": "tomorrow",
    "wk": "week",
    "wks": "weeks",
}
_SHORT_RE = re.compile(r"\b(?:" + "|".join(_SHORT) + r")\b", re.IGNORECASE)


def _spellings(word: str) -> str:
    """A word and its short spellings, as a pattern: "(?:week|wk)"."""
    return "(?:" + "|".join([word, *(short for short, full in _SHORT.items() if full == word)]) + ")"


_TOMORROW, _WEEK, _WEEKS = _spellings("tomorrow"), _spellings("week"), _spellings("weeks")
_PART = r"(?: (?:am|pm|morning|afternoon))?"
_PHRASE_RE = re.compile(
    r"\b(?:"
    rf"(?:by|before|on|until|after|around) the {_ORD}"
    rf"|(?:by|before|on|until|around|next|this|coming) {_DAY}(?: (?:or|and|/) {_DAY})?{_PART}"
    rf"|{_DAY} or {_DAY}{_PART}"
    rf"|(?:by|before|on|in|early|mid|late|end of|after) {_MONTH}(?: {_ORD}| \d{{1,2}}\b)?"
    rf"|{_MONTH} {_ORD}|{_MONTH} \d{{1,2}}\b|{_ORD} of {_MONTH}|\d{{1,2}} {_MONTH}"
    rf"|{_TOMORROW}|this {_WEEK}(?:end)?|over the weekend|next {_WEEK}(?:end)?"
    rf"|end of (?:the |this |next )?(?:{_WEEK}|month)"
    rf"|(?:early |later |late )?next month|later this month|in a (?:{_WEEK}|fortnight|month)"
    rf"|in (?:a few|a couple of|two|three|four|\d+) (?:days|{_WEEKS})"
    r"|after the holidays|in the new year|before the holidays|before christmas|after christmas"
    r")\b",
    re.IGNORECASE,
)
_VAGUE_DAYS = {
    "after the holidays": 35,
    "in the new year": 35,
    "before the holidays": 20,
    "before christmas": 20,
    "after christmas": 30,
}


def _expand_days(phrase: str) -> str:
    def day(match: re.Match[str]) -> str:
        word = match.group(0).rstrip(".").lower()
        return _DAYS.get(word, word.capitalize() if word.endswith("day") else word)

    return re.sub(r"\b" + _DAY, day, phrase, flags=re.IGNORECASE)


def _in_full(phrase: str) -> str:
    return _SHORT_RE.sub(lambda m: _SHORT[m.group(0).lower()], phrase)


def _day_of_month(number: int, today: dt.date) -> dt.date | None:
    year, month = today.year, today.month
    for _ in range(2):
        if number <= calendar.monthrange(year, month)[1]:
            day = dt.date(year, month, number)
            if day >= today:
                return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _resolve(phrase: str, today: dt.date) -> dt.date | None:
    low = phrase.lower()
    for vague, days in _VAGUE_DAYS.items():
        if vague in low:
            return today + dt.timedelta(days=days)
    if "end of" in low and "month" in low:
        base = today if "next" not in low else (today.replace(day=1) + dt.timedelta(days=32))
        nxt = base.replace(day=28) + dt.timedelta(days=4)
        last = nxt - dt.timedelta(days=nxt.day)
        return last if last > today else last + dt.timedelta(days=30)
    if "end of" in low and "week" in low:
        friday = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
        return friday + dt.timedelta(days=7 if "next" in low else 0)
    if "later this month" in low:
        return today + dt.timedelta(days=7)
    if re.fullmatch(r"(by |before |on |until )?(the end of )?this week", low):
        friday = today + dt.timedelta(days=(4 - today.weekday()) % 7)
        return (
            friday if friday > today else today + dt.timedelta(days=2)
        )  # said at the weekend: the next days
    if low == "tomorrow":
        return today + dt.timedelta(days=1)
    text = re.sub(r"\b(by|before|on|until|around|coming|early|mid|late|in)\b", " ", low)
    text = re.sub(r"\b(or|and|/)\b.*$", " ", text)  # "tues or thurs": the first one
    text = re.sub(r"\b(am|pm|morning|afternoon|of)\b", " ", text)
    text = re.sub(r"\bthe (\d)", r"\1", text)
    text = _expand_days(" ".join(text.split())) or low
    text = {"this weekend": "saturday", "over the weekend": "saturday", "next weekend": "saturday"}.get(
        text, text
    )
    ordinal = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", text)
    if ordinal:  # "by the 20th": this month's, or next month's once it has passed
        return _day_of_month(int(ordinal.group(1)), today)
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": dt.datetime.combine(today, dt.time(9)),
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    if parsed is None:
        return None
    day = parsed.date()
    if day.year > today.year and (day.month, day.year) != (1, today.year + 1) and day.month == today.month:
        day = today + dt.timedelta(days=5)  # "in November" said in November: later this month
    if "after" in low:
        day += dt.timedelta(days=1)
    return day if isinstance(day, dt.date) else None


def _within_horizon(found: str, today: dt.date) -> tuple[str, dt.date | None]:
    """A phrase `_PHRASE_RE` found, said in full, and its date when that falls within the horizon."""
    phrase = _expand_days(_in_full(found))
    day = _resolve(phrase, today)
    return phrase, (
        day if day is not None and today < day <= today + dt.timedelta(days=HORIZON_DAYS) else None
    )


def find_when(text: str, today: dt.date) -> tuple[str, dt.date] | None:
    """The first time phrase in the text that means a date within the horizon, as (phrase, date)."""
    for match in _PHRASE_RE.finditer(text):
        phrase, day = _within_horizon(match.group(0), today)
        if day is not None:
            return phrase, day
    return None


def default_when(kind: str, today: dt.date) -> tuple[str, dt.date]:
    """The kind's conventional rough time, for a step whose clause names none."""
    spec = KIND.get(kind, KIND["keep_in_touch"])
    return spec.when, today + dt.timedelta(days=spec.days)


# A time phrase with the words around it that go with it when it is replaced or taken out: what
# leads it ("by", "at the start of"; not "over", which can end a verb: "send it over"), what
# qualifies it ("early") and the part of the day after it ("tomorrow morning"). Seasons and the
# year are times too, past any follow-up's horizon; said bare they can name a thing ("the summer
# school"), so they count only where a clause goes on or ends after them.
_SPAN_LEAD = (
    r"(?:\b(?:by|before|until|till|in|on|at|around|within|during|for|from|sometime|some time)\s+(?:the\s+)?)?"
    r"(?:(?:the\s+)?(?:very\s+)?(?:end|start|beginning|middle|rest)\s+of\s+)?(?:\b(?:early|late|mid|later)[\s-]+)?"
)
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
# Words with which a clause goes on after a time: "in the spring when ...", "next year, and".
_GOES_ON = r"and|or|but|so|to|when|once|if|as"
_FAR = (
    rf"(?:(?:(?:this|next|coming|the)\s+)(?:{_SEASON}|year|new year)|{_SEASON}|next year)"
    rf"(?=\s*(?:[,.!?;:)]|$)|\s+(?:{_GOES_ON}|I|we|you)\b)"
)
_SPAN_RE = re.compile(
    _SPAN_LEAD + rf"(?:(?P<near>{_PHRASE_RE.pattern})|(?P<far>\b(?:{_FAR})))"
    r"(?:\s+(?:morning|afternoon|evening|night|am|pm)\b)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeSpan:
    """A time phrase in a text, with its leading and trailing words: where it is, and the date it
    means within the horizon (None for a time past it, or one no date can be read from)."""

    start: int
    end: int
    text: str
    day: dt.date | None


# A date said between "the" (or "your", "our") and a noun names a thing ("the December 3 session",
# "our Friday call"): it is no time of the sentence's own.
_BEFORE_THING_RE = re.compile(r"\b(?:the|a|an|your|my|our|his|their)\s+$", re.IGNORECASE)
_THING_AFTER_RE = re.compile(rf"\s+(?!(?:{_GOES_ON}|at|by|for|with)\b)[a-z]")


def time_spans(text: str, today: dt.date) -> list[TimeSpan]:
    """Every time phrase in the text, in order, each with the words that go with it."""
    found = []
    for match in _SPAN_RE.finditer(text):
        if (
            match.group("near")
            and match.start("near") == match.start()
            and _BEFORE_THING_RE.search(text, 0, match.start())
            and _THING_AFTER_RE.match(text, match.end())
        ):
            continue
        day = _within_horizon(match.group("near"), today)[1] if match.group("near") else None
        found.append(TimeSpan(match.start(), match.end(), match.group(0), day))
    return found
