"""The output guard: what the writer was not shown must not come back in the draft.

Built once per draft from the notes and the plan. It finds, in any text of the draft:
- runs of 8 or more words copied from the notes (names and titles aside);
- distinctive words (rare words, named things) that occur only in clauses the writer was not
  shown: if the draft has them, something unshown got through;
- runs of 5 or more words taken from the writer's own step instructions;
- the facts of the prompt's worked examples (a bakery in Porto, bees on a roof) where the notes
  do not have them: borrowed from an example, not from this conversation;
- recall sentences that say the step sentence again, and a step that says again what an
  earlier message to them said;
- sentences whose meaning is close to a private clause (the sender's agenda, a confidence,
  text aimed at a model): embedding similarity and word overlap together, with thresholds
  chosen on the dev split of the labelled notes (`drafter eval reader --calibrate`); words the
  writer had from its own instructions, not from the notes, are no overlap.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

import numpy as np
from wordfreq import zipf_frequency

from . import prompts
from .channels import KEEP_IN_TOUCH, STEP_FEEDBACK, STEP_INSTRUCTIONS
from .models import DraftRequest, Plan
from .retrieval.embeddings import load_encoder
from .text.clauses import plain_text
from .text.names import name_forms
from .text.overlap import WORD_RE, content_words, copied_runs, distinctive, is_common, phrases, stem, words
from .text.person import NO_ONE_AFTER, THIRD_PERSON, gender_of, is_person_noun, names_someone
from .text.sentences import sentences

__all__ = [
    "COPY_RUN",
    "ECHO_WORDS",
    "PRIVATE_OVERLAP",
    "PRIVATE_SIMILARITY",
    "REPEAT_SIMILARITY",
    "Guard",
    "instruction_echo",
]

COPY_RUN = 8
# Chosen on the dev split (`drafter eval reader --calibrate`): a draft sentence is "close" to a
# private clause when both hold.
PRIVATE_SIMILARITY = 0.45
PRIVATE_OVERLAP = 0.15
ECHO_WORDS = 5  # this many words in a row from the writer's own step instructions
REPEAT_SIMILARITY = 0.8  # a recall sentence this close to the step sentence says the step twice
# A nudge's step sentence this close to the last message's step asks for the same thing again in
# other words ("Would you mind if I visit the distillery in March?" after "If I come back to Chile
# in March, could I visit the distillery?", 0.70). Chosen on the dev nudges' steps: the repeats
# there are 0.69 to 0.99; steps that ask something new, 0.60 at most.
NUDGE_REPEAT_SIMILARITY = 0.65


# Whoever a sentence names: the instructions speak of "them", the message to "you".
_PERSON_RE = re.compile(r"\b(I|me|my|we|us|our|you|your|they|them|their|he|she|him|her|his)\b", re.I)
# The instructions and the feedback on the step, with whoever they name made one word, so "what
# you agreed" is "what we agreed" and "ask them now" is "ask you now".
_ANYONE_INSTRUCTIONS = tuple(
    _PERSON_RE.sub("someone", i) for i in (*STEP_INSTRUCTIONS, *STEP_FEEDBACK.values())
)


# Words the writer was given by us, not by the notes: a sentence is not close to a private
# clause through them ("stay in touch" when the notes' agenda also says it).
_OUR_WORDS = frozenset(content_words(" ".join([KEEP_IN_TOUCH, *STEP_INSTRUCTIONS])))


# A word of the examples' facts this rare is what they are about, not a way of saying things.
EXAMPLE_ZIPF = 4.5


@lru_cache(maxsize=1)
def example_stems() -> frozenset[str]:
    """Stems of the facts the writer's worked examples are about: the rare words of their details
    and notes lines that their replies say again."""
    lines = prompts.load("draft_examples").splitlines()
    facts = [
        line.split(":", 1)[1] if line.startswith("From your notes:") else line[2:]
        for line in lines
        if line.startswith(("- ", "From your notes:"))
    ]
    replies = {stem(w) for line in lines if line.startswith("{") for w in words(line)}
    rare = {stem(w) for w in words(" ".join(facts)) if zipf_frequency(w.lower(), "en") < EXAMPLE_ZIPF}
    return frozenset(rare & replies)


def _bare(sentence: str, when: str) -> str:
    """A sentence's words without the time phrase, lower-cased, to compare wordings."""
    text = sentence.lower().replace(when.lower(), " ") if when else sentence.lower()
    return " ".join(w for w in words(text) if w != "again")


def instruction_echo(text: str) -> str:
    """A run of words the message took from the writer's instructions (whoever it names), or ''."""
    mine = _PERSON_RE.sub("someone", text)
    for instruction in _ANYONE_INSTRUCTIONS:
        runs = copied_runs(mine, instruction, n=ECHO_WORDS)
        if runs:
            return runs[0]
    return ""


def _mostly_in(clause: str, told: set[str]) -> bool:
    mine = set(content_words(clause))
    return bool(mine) and len(mine & told) > len(mine) / 2


class Guard:
    def __init__(self, request: DraftRequest, plan: Plan) -> None:
        contact = request.contact
        self.notes = plain_text(request.notes)
        # The contact as the draft may name them: the full name, the greeting, every word of either.
        self.contact_names = name_forms(contact.name, request.notes) | {
            contact.name.strip(),
            plan.greeting_name,
            *words(plan.greeting_name),
        }
        # The sender's own names, but for any they share with the contact.
        self.sender_names = {n for n in [request.sender.strip(), *words(request.sender)] if n} - set(
            self.contact_names
        )
        self.names = self.contact_names | set(words(request.sender))
        self.setting = set(words(f"{contact.where_met} {contact.company}"))  # places and firms, not people
        # Where you met and who they are: words that name no detail of the conversation.
        self.known_stems = {stem(w.lower()) for w in self.setting | self.names}
        # What the writer is shown: the plan's clauses, the contact, and what earlier messages said.
        known = " ".join(
            [*plan.shown, contact.where_met, contact.company, contact.name, request.sender, *request.avoid]
        )
        # What earlier messages said and this one is not shown again: on a nudge the last topic
        # is this message's detail, and only the last step is not to be said again.
        shown_words = set(content_words(" ".join(plan.shown)))
        self.said_before = [a for a in request.avoid if a.strip() and not _mostly_in(a, shown_words)]
        self._said_phrases = {
            pair
            for said in self.said_before
            for pair in phrases(said)
            if not set(pair) & (shown_words | _OUR_WORDS | set(content_words(plan.follow_up_when)))
        }
        previous = ""
        if plan.follow_up is not None:
            previous = (
                f"{plan.follow_up.previous_topic} {plan.follow_up.promise} {plan.follow_up.ask_after}"
                f" {plan.follow_up.note} {plan.follow_up.previous_subject} {plan.follow_up.previous_step}"
            )
            known += " " + previous
        # A nudge's step must not ask again what the last message asked.
        self.previous_step = (
            plan.follow_up.previous_step if plan.follow_up and plan.follow_up.kind == "nudge" else ""
        )
        self.follow_up_when = plan.follow_up_when
        name_stems = {stem(n) for n in self.names}
        self.allowed = distinctive(known) | name_stems | {stem(w) for w in words(known)}
        # The examples' facts this conversation does not have: a draft with them borrowed them.
        self.borrowed = example_stems() - self.allowed - {stem(w) for w in words(self.notes)}
        # Clause by clause: joined, a clause's first word would pass for a name.
        self.unshown = set().union(*(distinctive(u) for u in plan.unshown)) - self.allowed
        # What an earlier message already told them is no longer private (a topic the reader held
        # back by mistake): a held-back clause more than half of whose words it said is not guarded.
        told = set(content_words(" ".join([*self.said_before, previous]))) if plan.follow_up else set()
        self.private = [*(p for p in plan.held_back if not _mostly_in(p, told)), *plan.suspicious]

    @cached_property
    def _private_vectors(self) -> np.ndarray:
        return load_encoder().encode(self.private) if self.private else np.zeros((0, 1))

    def _someone_else(self, word: str) -> bool:
        """Whether a word of a text names a person other than the contact and the sender."""
        return names_someone(word, self.names | self.setting)

    def someone_else_in(self, texts: list[str]) -> bool:
        """Whether the texts name a person other than the contact and the sender, so that "he"
        or "she" may mean someone else."""
        return any(self._someone_else(w) for w in words(" ".join(texts)))

    def first_other(self, text: str) -> int:
        """Where a text first names someone "he" or "she" could mean other than the contact (a
        name, or a word for a person or an animal: "your daughter"); its length when nowhere."""
        place = False  # a name after "in" or "the" is a place or a thing (see NO_ONE_AFTER), no one
        before = ""
        for match in WORD_RE.finditer(text):
            word = match.group(0).strip("'’-")
            place = word[:1].isupper() and (
                before.lower() in NO_ONE_AFTER or (place and before[:1].isupper())
            )
            if (self._someone_else(word) and not place) or is_person_noun(word):
                return match.start()
            before = word
        return len(text)

    def unclear_pronouns(self, text: str) -> list[str]:
        """The "he"s and "she"s of a message's text that it gives no one to mean but the contact,
        who is spoken to as "you": nobody else is named before them."""
        cut = self.first_other(text)
        return [m.group(0) for m in THIRD_PERSON.finditer(text) if m.start() < cut]

    @cached_property
    def contact_pronoun(self) -> str:
        """ "he" or "she": how the notes speak of the contact, when they say it plainly (the first
        "he" or "she" after the contact is first named, or from the start of notes that never name
        them, with no one else named between); else ''."""
        pattern = "|".join(re.escape(n) for n in sorted(self.contact_names, key=len, reverse=True) if n)
        named = re.search(rf"(?<![\w-])(?:{pattern})(?![\w-])", self.notes) if pattern else None
        rest = self.notes[named.end() :] if named else self.notes
        pronoun = THIRD_PERSON.search(rest)
        if pronoun is None or self.first_other(rest) < pronoun.start():
            return ""
        return gender_of(pronoun.group(0))

    def names_sender(self, text: str) -> bool:
        """Whether a text speaks of the sender by name ("Sam Rivera shared that you ...", "Morag
        mentioned the AGM"): the message is theirs, in the first person."""
        for name in self.sender_names:
            for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                opens = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1] in ".!?"
                if " " in name or not is_common(name) or not opens:  # "Will you ..." is no one
                    return True
        return False

    def copied(self, text: str) -> list[str]:
        return copied_runs(text, self.notes, COPY_RUN, ignore=self.names)

    def from_examples(self, text: str) -> list[str]:
        return sorted({w for w in words(text) if stem(w.lower()) in self.borrowed})

    def unshown_words(self, text: str) -> list[str]:
        return sorted({w for w in words(text) if stem(w.lower()) in self.unshown})

    def _similar(self, sentences: list[str], others: list[str], bar: float = REPEAT_SIMILARITY) -> list[str]:
        """The sentences whose meaning is as close to one of `others` as the bar (a repeat's, unless
        told): one encode of each list."""
        if not sentences or not others:
            return []
        encoder = load_encoder()
        sims = encoder.encode(sentences) @ encoder.encode(others).T
        return [s for s, row in zip(sentences, sims, strict=True) if float(row.max()) >= bar]

    def restating(self, step: str, sentences: list[str]) -> list[str]:
        """The sentences that say the step sentence again."""
        return self._similar(sentences, [step]) if step.strip() else []

    def repeats(self, sentences: list[str]) -> list[str]:
        """The sentences that say again what a sentence before them in this message said."""
        if len(sentences) < 2:
            return []
        vectors = load_encoder().encode(sentences)
        sims = vectors @ vectors.T
        return [s for i, s in enumerate(sentences) if i and float(sims[i, :i].max()) >= REPEAT_SIMILARITY]

    def asks_again(self, step: str) -> list[str]:
        """The sentences of a nudge's step that say the last message's step again, in the same
        words or others. The plain keep-in-touch sentences are never a repeat: they are what a
        nudge says when it has nothing new to ask."""
        if not self.previous_step.strip():
            return []
        plain = {_bare(s, self.follow_up_when) for s in sentences(KEEP_IN_TOUCH)}
        said = [s for s in sentences(step) if _bare(s, self.follow_up_when) not in plain]
        return self._similar(said, [self.previous_step], NUDGE_REPEAT_SIMILARITY)

    def repeating_before(self, sentences: list[str]) -> list[str]:
        """The sentences that say again what an earlier message to them said: as close in meaning
        as a repeat, or with a phrase of it that this message was not shown."""
        again = {s for s in sentences if phrases(s) & self._said_phrases}
        again.update(self._similar(sentences, self.said_before))
        return [s for s in sentences if s in again]

    def close_to_private(self, sentences: list[str]) -> list[str]:
        """The sentences whose meaning is close to a private clause."""
        if not self.private or not sentences:
            return []
        vectors = load_encoder().encode(sentences)
        sims = vectors @ self._private_vectors.T
        close = []
        for i, sentence in enumerate(sentences):
            mine = set(content_words(sentence)) - {stem(n) for n in self.names} - _OUR_WORDS
            for j, clause in enumerate(self.private):
                theirs = set(content_words(clause))
                overlap = len(mine & theirs) / max(len(mine), 1)
                if sims[i, j] >= PRIVATE_SIMILARITY and overlap >= PRIVATE_OVERLAP:
                    close.append(sentence)
                    break
        return close
