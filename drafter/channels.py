"""Everything about a channel and a next-step kind, in one place.

A channel (email, LinkedIn, text) sets the length of the message, whether it has a subject,
how much of the conversation it recalls and how many output tokens the writer gets. A kind of
next step (ask, offer, joint venture, keep in touch) has a label, the reason it fits, its
default "when", and the roles of note clauses that call for it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHANNEL",
    "FOLLOW_UP_INSTRUCTION",
    "KIND",
    "KIND_OF_ROLE",
    "ROLE_PRIORITY",
    "ChannelSpec",
    "KEEP_IN_TOUCH",
    "STEP_INSTRUCTIONS",
    "KindSpec",
]


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    label: str
    max_chars: int | None  # the whole message, for short channels
    words: tuple[int, int] | None  # the whole message, for email
    subject: bool
    recall: str  # how long the recall is, in the writer's words
    recall_sentences: int
    max_details: int
    max_tokens: int
    signoff: str


@dataclass(frozen=True)
class KindSpec:
    name: str
    label: str
    why: str
    when: str  # the default rough time
    days: int  # ... and how far ahead it is
    instruction: str  # what the next-step sentence does, for the writer
    unsourced_task: str  # ... when the notes hold no clause of this kind (the sender chose the kind)

    @property
    def unsourced(self) -> str:
        """The instruction for a kind the notes hold no clause of, pointing at the details listed."""
        return self.unsourced_task.format(detail="a detail above")

    def unsourced_about(self, detail: str) -> str:
        """The same instruction about one detail: what a step sentence that only echoed the
        instruction is written again from."""
        return self.unsourced_task.format(detail=detail)


CHANNEL: dict[str, ChannelSpec] = {
    "email": ChannelSpec("email", "Email", None, (35, 180), True, "2 sentences", 2, 3, 220, "Best,"),
    "linkedin": ChannelSpec("linkedin", "LinkedIn note", 300, None, False, "1 sentence", 1, 2, 140, ""),
    "text": ChannelSpec("text", "Text message", 320, None, False, "1 sentence", 1, 2, 140, ""),
}
SUBJECT_MAX = 80

KIND: dict[str, KindSpec] = {
    "offer": KindSpec(
        "offer",
        "Offer something",
        "You said you would, or they asked: following through is the most relevant next step.",
        "in the next few days",
        3,
        "say you will do the thing from the notes for them (a simple, relevant offer)",
        "offer one small, relevant thing tied to {detail}",
    ),
    "ask": KindSpec(
        "ask",
        "Ask for something small",
        "A small favour tied to what you talked about.",
        "next week",
        7,
        "ask them for the small thing from the notes, politely, as a question",
        "ask them one small question about {detail}",
    ),
    "joint_venture": KindSpec(
        "joint_venture",
        "Continue the conversation (joint venture)",
        "You both want to keep this conversation going.",
        "in the next couple of weeks",
        14,
        "propose to continue what you agreed or began together",
        "suggest continuing the conversation about {detail}",
    ),
    "keep_in_touch": KindSpec(
        "keep_in_touch",
        "Keep the door open",
        "No natural ask or offer yet: keep the door open.",
        "in the next few weeks",
        21,
        "keep the door open: ask if you may reach out, with the rough time",
        "keep the door open: ask if you may reach out, with the rough time",
    ),
}

# Which clause roles call for which kind of next step, and which comes first when several do.
KIND_OF_ROLE: dict[str, str] = {"promise": "offer", "request": "offer", "plan": "joint_venture", "ask": "ask"}
ROLE_PRIORITY: tuple[str, ...] = ("promise", "request", "plan", "ask")

# What the next-step sentence of a second touch does, for the writer.
FOLLOW_UP_INSTRUCTION: dict[str, str] = {
    "deliver": 'what you promised is ready now: "Here is ..." or "I\'ve attached ..." (not "I will")',
    "ask_after": "ask lightly after what they mentioned; make it easy to say it is not ready yet",
    "nudge": (
        "say in a few words that you wrote before, then leave them free to answer whenever it suits "
        "them: no apology, no deadline, nothing about their silence"
    ),
}

# Every instruction the writer may get for its next-step sentence (none belongs in a message).
# The keep-in-touch idea in plain words: what a step says when the notes hold no other.
KEEP_IN_TOUCH = "I'd love to stay in touch. Would you mind if I reach out to you again?"
# An ask is a question they can answer at once; its "when" follows it in a sentence of its own
# ("Could you tell me the agronomist's name next week?" asks them to wait a week to say it).
ASK_WHEN = "Any time {when} would be great."
# A step with a time of its own past the follow-up's horizon ("Shall we walk that stage together
# in May?") keeps it; when they will hear from the sender follows in a sentence of its own.
LATER_WHEN = "I'll be in touch {when} about it."
STEP_INSTRUCTIONS: tuple[str, ...] = (
    *(k.instruction for k in KIND.values()),
    *(k.unsourced for k in KIND.values()),
    *FOLLOW_UP_INSTRUCTION.values(),
)
# What the checks tell the writer about its next-step sentence when it fails. The writer reads
# them with its next attempt, so they are instructions too, and none belongs in a message ("I'll
# ask them now, as a question next week." is the feedback said back).
STEP_FEEDBACK: dict[str, str] = {
    "missing": "the message states no next step",
    "not_planned": "the next step should be the one from your notes",
    "door": "keep the door open: ask if you may reach out again",
    "promises": "it promises something your notes don't: promise nothing else, and keep the door open",
    "ask_later": "it says you will ask them later: ask them now, as a question",
    "repeats": "it repeats the step of your last message: say something new",
    "twice": "the next step is stated twice: say it once, at the end",
    "echo": "it repeats the instructions you were given; say the step itself, in your words",
}
