"""Speak to them, not about them: a sentence about the contact, turned to the second person.

The writer sometimes talks about the contact in the third person ("Ben is restoring an
Airstream", "Noah's buddy system", "I'd love to ask her what it was"). A message is addressed
to them, so their name (outside a form of address such as "Thanks, Ben") becomes "you" or
"your", a verb after it agrees ("Jordan knows" -> "you know"), and, where no one else could be
meant, "he" or "she" does the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .names import TITLE_PATTERN
from .overlap import WORD_RE, is_common, stem
from .sentences import sentences, upper_first

__all__ = [
    "PERSON_NOUNS",
    "NO_ONE_AFTER",
    "THIRD_PERSON",
    "announces_asking",
    "gender_of",
    "is_person_noun",
    "commits",
    "opening_address",
    "own_act",
    "sizes_up",
    "to_second_person",
    "to_third_person",
    "names_someone",
    "whom_about",
    "without_address",
]

# Verb forms that agree with "you" differently.
_AGREE = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "doesn't": "don't",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
}
# Words after "her" that make it the object ("ask her what", "write her after") rather than
# the possessive ("her talk").
_AFTER_OBJECT = {
    "a", "about", "after", "again", "all", "an", "and", "any", "as", "at", "back", "before", "but",
    "by", "for", "from", "here", "how", "if", "in", "into", "is", "know", "later", "next", "now",
    "of", "on", "or", "out", "over", "sometime", "soon", "that", "the", "then", "there", "this",
    "through", "to", "today", "tomorrow", "up", "what", "when", "where", "whether", "which",
    "while", "who", "why", "with", "your", "my", "our", "some", "more", "once",
}  # fmt: skip
# Words after a name that end in "s" but are not verbs to make agree.
_NOT_VERBS = {
    "always",
    "sometimes",
    "perhaps",
    "across",
    "towards",
    "afterwards",
    "unless",
    "besides",
    "nowadays",
    "plus",
    "thus",
}
# Words that may follow a name used as a subject or object; any other lowercase word after it
# makes the name part of a name for something ("the Maya risograph zines"), left alone.
_AFTER_PERSON = {
    "and", "or", "too", "as", "also", "always", "often", "still", "just", "never", "really",
    "can", "could", "will", "would", "should", "might", "may", "must", "did", "had", "were",
    "told", "said", "made", "gave", "took", "knew", "got", "went", "came", "saw", "ran", "wrote",
    "found", "thought", "brought", "taught", "grew", "spent", "built", "left", "lost", "began",
    "kept", "put", "set", "led", "won", "sent", "showed", "explained", "mentioned", "shared",
    "yesterday", "tonight", "last", "earlier", "recently", "once", "twice", "here", "there",
}  # fmt: skip
# Verbs whose object the name is ("ask Henrike something", "send Dr. Tesfaye the audit"): the name
# becomes "you" whatever follows it.
_OBJECT_VERBS = {
    "ask", "tell", "send", "show", "thank", "invite", "introduce", "remind", "help", "give", "offer",
}  # fmt: skip
_VOCATIVE_BEFORE = (",", "Hi", "Hello", "Hey", "Dear", "Thanks", "thanks")
_WORD_RE = re.compile(r"[A-Za-z][\w'’-]*")


def _agree(verb: str) -> str:
    """A third-person verb as it goes with "you" ("knows" -> "know"); other words unchanged."""
    low = verb.lower().replace("’", "'")
    if low in _NOT_VERBS:
        return verb
    if low in _AGREE:
        return _AGREE[low]
    if len(low) > 3 and low.endswith("ies"):
        return verb[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        return verb[:-2]
    if len(low) > 2 and low.endswith("s") and not low.endswith(("ss", "us", "is", "'s")):
        return verb[:-1]
    return verb


def _person_word(word: str) -> bool:
    """Whether a lowercase word can follow a person's name: a verb, a function word."""
    low = word.lower()
    return (
        low in _AFTER_PERSON
        or low in _AFTER_OBJECT
        or low in _AGREE
        or low.endswith(("s", "ed", "ing", "ly", "n't", "'s", "’s", "'d", "'ll"))
    )


# Words that may open the object or the place of a verb in "-ing" ("restoring an Airstream",
# "running the club", "moving to Leeds"): after "Ben's", that verb makes "'s" a form of "is".
_OPENS_OBJECT = {
    "a", "an", "the", "his", "her", "their", "my", "our", "your", "its", "this", "that", "these",
    "those", "some", "two", "three", "it", "them", "me", "us", "him", "to", "for", "on", "in", "at",
    "with", "out", "up", "back", "down", "into", "through", "about", "from", "over", "off",
}  # fmt: skip


def _is_contraction(rest: str) -> bool:
    """Whether "'s" before `rest` is "is": a verb in "-ing" with an object or a place after it
    ("Ben's restoring an Airstream"), not a noun ("Hamish's beekeeping and bees", "Ben's running
    club")."""
    found = re.match(r"([A-Za-z]+ing)\b\s*([A-Za-z]+)?", rest)
    return bool(found and found.group(2) and found.group(2).lower() in _OPENS_OBJECT)


def _shift(text: str, pattern: str, possessive: str) -> str:
    """Replace each match of `pattern` (a name or a subject pronoun) by "you", "your" or
    "you're", with the verb after it made to agree."""
    out: list[str] = []
    at = 0
    for match in re.finditer(pattern, text):
        before = text[: match.start()].rstrip()
        after = text[match.end() :]
        if before.endswith(_VOCATIVE_BEFORE) or after[:1] in {",", "!", "?"}:
            continue  # a form of address: "Thanks, Ben" and "Ben, ..." stay
        start_of_sentence = not before or before[-1] in '.!?:;"“'
        verb_before = re.search(r"([A-Za-z]+)$", before)
        if verb_before and verb_before.group(1).lower() in _OBJECT_VERBS and not after.startswith(("'", "’")):
            out.append(text[at : match.start()] + "you")  # "ask Henrike something" -> "ask you something"
            at = match.end()
            continue
        following = re.match(r"\s+([a-z][\w'’-]*)", after)
        named_thing = re.search(r"\b(?:the|a|an)$", before, re.IGNORECASE) and not after.startswith(
            ("'", "’")
        )
        if following and (named_thing or not _person_word(following.group(1))):
            continue  # "Maya risograph zines": a name for something, not the person
        # "Ben's", and "Jonas' layout" after a name that ends in "s"
        bare = r"|(?=\s)" if match.group(0)[-1:].lower() in {"s", "x", "z"} else ""
        owned = re.match(rf"['’](?:s\b{bare})\s*", after)
        if owned:
            word, consumed = (
                ("you're " if _is_contraction(after[owned.end() :]) else f"{possessive} "),
                owned.end(),
            )
        else:
            word, consumed = "you", 0
            # The verb after it, past an adverb: "Jordan knows", "Jordan always runs".
            verb = re.match(
                r"(\s+(?:(?:always|often|also|still|just|never|really|\w+ly)\s+)?)([a-z][\w'’-]*)", after
            )
            if verb:
                word = f"you{verb.group(1)}{_agree(verb.group(2))}"
                consumed = verb.end()
        if start_of_sentence:
            word = upper_first(word)
        out.append(text[at : match.start()] + word)
        at = match.end() + consumed
    out.append(text[at:])
    return "".join(out)


def _pronouns(text: str, gender: str = "") -> str:
    """ "He", "she" and their forms spoken to; only those of one `gender` ("he" or "she") when
    it is given."""
    she, he = gender in ("", "she"), gender in ("", "he")
    if she:
        text = re.sub(
            r"\b([Hh]er)sel(f)\b", lambda m: ("Y" if m.group(1)[0].isupper() else "y") + "ourself", text
        )
        text = re.sub(r"\b([Hh])ers\b", lambda m: "Yours" if m.group(1).isupper() else "yours", text)
    if he:
        text = re.sub(
            r"\b([Hh]im)sel(f)\b", lambda m: ("Y" if m.group(1)[0].isupper() else "y") + "ourself", text
        )
        text = re.sub(r"\b([Hh])is\b", lambda m: "Your" if m.group(1).isupper() else "your", text)
        text = re.sub(r"\b([Hh])im\b", lambda m: "You" if m.group(1).isupper() else "you", text)

    def her(match: re.Match[str]) -> str:
        nxt = _WORD_RE.match(text[match.end() :].lstrip())
        rest = text[match.end() :]
        objective = not nxt or rest[:1] in ".,;:!?" or nxt.group(0).lower() in _AFTER_OBJECT
        word = "you" if objective else "your"
        return word.capitalize() if match.group(0)[0].isupper() else word

    if she:
        text = re.sub(r"\b[Hh]er\b", her, text)
    subject = "[Hh]e|[Ss]he" if not gender else "[Hh]e" if he else "[Ss]he"
    text = re.sub(
        rf"\b({subject})['’](s|d|ll)\b",
        lambda m: (
            ("You" if m.group(1)[0].isupper() else "you") + {"s": "'re", "d": "'d", "ll": "'ll"}[m.group(2)]
        ),
        text,
    )
    return _shift(text, rf"\b(?:{subject})\b", "your")


# Words for a person or an animal that "he" or "she" may stand for ("your daughter ... she").
PERSON_NOUNS = frozenset(
    """
    wife husband partner spouse son daughter child kid kids children baby mother mum mom father dad
    brother sister aunt uncle niece nephew cousin grandmother grandfather grandma grandpa granny
    grandson granddaughter boyfriend girlfriend fiance fiancee friend boss colleague coworker
    manager mentor student teacher advisor adviser supervisor neighbour neighbor founder
    man woman guy girl boy lady gentleman bloke chap mate lad lass
    dog cat horse mare pony puppy kitten stallion gelding cow bull
    """.split()
)
# "He", "she" and every form of them, with the gender each belongs to.
THIRD_PERSON = re.compile(r"\b(he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
_PERSON_NOUN_STEMS = frozenset(stem(n) for n in PERSON_NOUNS)
_GENDER = {"he": "he", "him": "he", "his": "he", "himself": "he"}


def gender_of(pronoun: str) -> str:
    """ "he" or "she": the gender a third-person pronoun belongs to."""
    return _GENDER.get(pronoun.lower(), "she")


def _name_pattern(names: Iterable[str]) -> str:
    """A pattern for the contact's name read whole, or '' when no form of it is a name.

    A run of the capitalised words of its forms, with the particles of a form between them
    ("Priya Nair" when the forms are "Priyanka Nair" and "Priya"; "van der Merwe"), and a title
    before it. Read form by form, "Errol Campbell, the coach" would keep its address and still
    lose "Errol" ("you Campbell"). A lowercase word alone ("van") is not how anyone is named."""
    forms = [n.strip() for n in names if len(n.strip(". ")) > 1]
    capitalised = {w for n in forms for w in n.split() if w[:1].isupper() and len(w.strip(".")) > 1}
    if not capitalised:
        return ""
    particles = {w for n in forms if len(n.split()) > 1 for w in n.split() if w.islower()}
    one = "|".join(re.escape(w) for w in sorted(capitalised, key=len, reverse=True))
    between = rf"(?:(?:{'|'.join(re.escape(p) for p in sorted(particles))})\s+)*" if particles else ""
    run = rf"{between}(?:{one})(?:\s+{between}(?:{one}))*"
    # "the Hon. Margarethe Solberg" is her name with its style: "the" goes with them
    return (
        rf"(?<![\w.-])(?:(?:(?i:the)\s+(?={TITLE_PATTERN}\.?\s))?(?:{TITLE_PATTERN}\.?\s+)+)?{run}(?![\w-])"
    )


def to_second_person(text: str, names: Iterable[str], *, pronouns: bool, gender: str = "") -> str:
    """`text` with the contact's name spoken to (in one pass, each name read whole), and, when
    `pronouns` is set (no one else is named), "he"/"she"/"him"/"her"/"his" too: those of one
    `gender` only, when it is given."""
    pattern = _name_pattern(names)
    if pattern:
        text = _shift(text, pattern, "your")
    return _pronouns(text, gender) if pronouns else text


# "You are a ...", "You're so ...": a sentence whose main clause describes them.
_SIZES_UP_RE = re.compile(
    r"^\W*(?:(?:and|but|clearly|honestly|truly)\W+)?you(?:['’]re|\s+are|\s+seem|\s+sound|\s+must\s+be)\s+"
    r"(?:a|an|so|such|very|truly|really|clearly|quite|obviously|incredibly|extremely|one\s+of)\b",
    re.IGNORECASE,
)


def sizes_up(sentence: str) -> bool:
    """Whether a sentence sizes them up instead of recalling the conversation: "You are a
    fascinating woman", "You're so knowledgeable", "You are a partner at a seed fund". What the
    sender thinks of them, or tells them they are, is not something they talked about."""
    return bool(_SIZES_UP_RE.match(sentence))


def opening_address(sentence: str, names: Iterable[str]) -> str:
    """The form of address a sentence of the body opens with ("Dee, what a conversation!"), or
    '': the message already greets them, so a second greeting reads as a slip."""
    pattern = _name_pattern(names)
    found = (
        re.match(rf"\s*(?:(?i:hi|hello|hey|dear|oh)\s+)?({pattern})\s*[,!]\s*", sentence) if pattern else None
    )
    if not found:
        return ""
    # A full name, or a name before "the ..." or "a ...", opens an apposition: "Errol Campbell,
    # the club's coach, runs ..." speaks about them (for the voice check), it does not greet them.
    name = re.sub(rf"^{TITLE_PATTERN}\.?\s+", "", found.group(1))
    rest = sentence[found.end() :]
    if len(name.split()) > 1 and found.group(0).rstrip().endswith(","):
        return ""
    if re.match(r"(?i:the|a|an|who|whose)\b", rest):
        return ""
    return found.group(0)


def without_address(sentence: str, names: Iterable[str]) -> str:
    """The sentence without the form of address it opens with, capitalised again."""
    address = opening_address(sentence, names)
    rest = sentence[len(address) :]
    return upper_first(rest) if address and rest.strip() else sentence


_THIRD = {
    "your": "their",
    "yours": "theirs",
    "yourself": "themselves",
    "you're": "they're",
    "you'll": "they'll",
    "you've": "they've",
    "you'd": "they'd",
}


def to_third_person(text: str) -> str:
    """A sentence of a message as notes would say it: the one it is addressed to as "them"
    ("I'll send you my notes" -> "I'll send them my notes"). "They" agrees with a verb as "you"
    does, so nothing else changes."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower().replace("’", "'")
        if low == "you":
            # An object where "her" would be one ("send you my notes", "to you again", "Thank
            # you."); a subject before its verb ("hope you enjoy it", "could you send").
            rest = text[match.end() :]
            nxt = _WORD_RE.match(rest.lstrip())
            objective = not nxt or rest[:1] in ".,;:!?)" or nxt.group(0).lower() in _AFTER_OBJECT
            third = "them" if objective else "they"
        else:
            third = _THIRD[low]
        return third.capitalize() if word[0].isupper() else third

    return re.sub(r"\b[Yy]ou(?:rs?|rself|['’](?:re|ll|ve|d))?\b", swap, text)


# The speaker's own act to come, in the first person future ("I'll", "we will", "I'm going to").
_OWN_ACT_RE = re.compile(
    r"(?:I|we)(?:'ll|’ll|\s+will|\s+shall|['’]m\s+going\s+to|\s+am\s+going\s+to|['’]re\s+going\s+to"
    r"|\s+are\s+going\s+to)\b",
    re.I,
)


def own_act(sentence: str) -> bool:
    """Whether a sentence says what the speaker will do ("I'll send it next week."), not a question."""
    text = sentence.strip()
    return bool(_OWN_ACT_RE.match(text)) and not text.endswith("?")


def announces_asking(sentence: str) -> bool:
    """Whether a sentence says the speaker will ask ("I'll ask you which mill it is."): a message
    to the one who would be asked, announcing the question instead of asking it."""
    text = sentence.strip()
    found = _OWN_ACT_RE.match(text)
    if found is None or text.endswith("?"):
        return False
    return bool(re.match(r"\s+(?:\w+ly\s+)?ask\b", text[found.end() :], re.I))


# A commitment the speaker makes anywhere in a sentence: "I'll", "I will", "I shall", "I'm going
# to", "I promise (to)", "let me", a subject-less "Will" or "Going to" at its start, or "I'm
# sending you" (the present for what is arranged, with them as the one it goes to); each with
# the verb that follows, past adverbs and "be sure to" / "make sure to".
_COMMIT_RE = re.compile(
    r"(?:\bI(?:['’]ll|\s+will|\s+shall|(?:['’]m|\s+am)\s+(?:going\s+to|gonna)|\s+promise(?:\s+to)?)"
    r"|\blet\s+me|^\s*(?:will|going\s+to|gonna)(?=\s+[a-z])"
    r"|\bI(?:['’]m|\s+am)(?=\s+(?:\w+ly\s+)?\w+ing\s+(?:you\b|[^.;!?,]*?\b(?:to\s+you|your\s+way)\b)))"
    r"((?:\s+(?:\w+ly|just|also|still|then|soon|definitely|certainly|gladly|happily|too|first))*)"
    r"(?:\s+(?:be|make)\s+sure(?:\s+to|\s+that)?)?\s+([a-z]+)\b([^.;!?]*)",
    re.I,
)
# Verbs after which the speaker gives them nothing: a state or a thought of their own ("I'll be
# at the fair", "I'll keep it in mind"), keeping in touch ("I'll reach out again", "I'll write in
# a few weeks"), "let me know" or "I'll let you know".
_STATE_VERBS = {"be", "keep", "stay", "think", "try", "remember", "hope", "look", "miss", "need", "have"}
_CONTACT_VERBS = {"reach", "write", "email", "e-mail", "message", "call", "ring", "contact", "check",
                  "follow", "touch", "text", "ping", "drop"}  # fmt: skip
# What keeping in touch is for: "I'll write in the spring to hear how it went".
_TOUCH_PURPOSES = {"hear", "see", "ask", "find", "catch", "check", "say", "chat", "talk", "learn", "touch"}
# The same said from their side: "Expect a parcel from me", "You'll get the letter from me".
_FROM_ME_RE = re.compile(
    r"\b(?:expect|you['’]ll\s+(?:get|receive|have)|you\s+will\s+(?:get|receive|have))\b[^.;!?]*\bfrom\s+me\b",
    re.I,
)
_THING = r"(?:it|them|this|that|the|a|an|my|our|some|those|these|over)"
_HANDED_OVER_RE = re.compile(rf"^\s*(?:you\s+)?{_THING}\b(?!\s+(?:line|note|message|email|call)\b)", re.I)
_PURPOSE_RE = re.compile(rf"\bto\s+(?!(?:you|{_THING})\b)([a-z]+)\b")
_TEXT_SPEAK = {"u": "you", "ur": "your"}


def _one_of(verb: str, verbs: set[str]) -> bool:
    """Whether a verb, or its -ing form, is one of `verbs` ("sending" is "send", "dropping" is
    "drop", "hoping" is "hope")."""
    if verb in verbs:
        return True
    if not verb.endswith("ing") or len(verb) < 5:
        return False
    stem = verb[:-3]
    return bool({stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem} & verbs)


def _contact_commits(verb: str, rest: str) -> bool:
    """Whether a verb of getting in touch ("I'll email", "I'll call you") commits to more than
    keeping in touch: something handed over ("email it over"), a visit ("drop by"), a write-up,
    or a purpose of its own ("call you on the 3rd to walk you through the module")."""
    if _one_of(verb, {"drop"}) and re.match(r"\s+(?:by|in|round|over)\b", rest, re.I):
        return True
    if _one_of(verb, {"write"}) and re.match(r"\s+up\b", rest, re.I):
        return True
    if _HANDED_OVER_RE.match(rest):
        return True
    purpose = _PURPOSE_RE.search(rest)
    return purpose is not None and not _one_of(purpose.group(1), _TOUCH_PURPOSES)


def commits(text: str) -> bool:
    """Whether a sentence, or one sentence of a text, commits the speaker to do or give something
    ("I'll send you the recipe", "Let me put you in touch with Dana", "Will forward her details
    Monday"), as against keeping in touch ("I'll reach out again in a few weeks") or a state
    ("I'll be at the fair"). A question ("Shall I send it?") only offers, and commits to nothing yet."""
    return any(_commits(one) for one in sentences(text))


def _commits(sentence: str) -> bool:
    text = re.sub(r"\b(?:u|ur)\b", lambda m: _TEXT_SPEAK[m.group(0)], sentence.strip())
    if text.endswith("?"):
        return False
    if _FROM_ME_RE.search(text):
        return True
    for found in _COMMIT_RE.finditer(text):
        verb, rest = found.group(2).lower(), found.group(3)
        if (found.group(0).lower().startswith("let") and verb == "know") or (
            verb == "let" and re.match(r"\s+(?:you|them)\s+know\b", rest, re.I)
        ):
            continue
        if _one_of(verb, _STATE_VERBS) or (
            _one_of(verb, {"get"}) and re.match(r"\s+(?:in\s+touch|back)\b", rest, re.I)
        ):
            continue
        if _one_of(verb, _CONTACT_VERBS) and not _contact_commits(verb, rest):
            continue
        return True
    return False


_PLACE_BEFORE = frozenset({"in", "at", "near", "around", "across", "outside", "inside"})
_THING_BEFORE = frozenset({"the", "a", "an", "this", "that", "my", "our", "their", "your"})
# A capitalised word after one of these is a place ("in Fort William") or a thing ("by the Lely
# stand"), no one.
NO_ONE_AFTER = _PLACE_BEFORE | _THING_BEFORE
_GOES_ON = frozenset({"and", "but", "or", "so", "then", "also", "plus", "though", "although", "which"})


def _possessor(word: str) -> str:
    """Whose a possessive is: "Errol's" -> "Errol"; any other word as it is."""
    return re.sub(r"['’]s$", "", word)


def names_someone(word: str, known: set[str]) -> bool:
    """Whether a word names a person other than the `known` ones (the contact, the sender, where
    you met): a capitalised word that is no common word, no acronym ("PID", "NHS") and no product
    ("LoRaWAN"; "McKenzie" may be a name). A possessive is its name's ("Errol's gym")."""
    word = _possessor(word)
    return (
        word[:1].isupper()
        and not word.isupper()
        and sum(c.isupper() for c in word[1:]) < 2
        and word not in known
        and not is_common(word)
    )


def is_person_noun(word: str) -> bool:
    """Whether a word names a kind of person ("colleague", "Sister", "mentors")."""
    return stem(word.lower()) in _PERSON_NOUN_STEMS


def _names_a_person(following: str) -> bool:
    """Whether what follows a run of capitalised words says it names a person: a bracket opening
    who they are ("Dafydd Morgan (judge"), "and" another name ("Kwame and Beatriz"), or a verb a person does
    ("Kwame said", "Funmi promised", "Moss is"); not a noun it qualifies ("Ethiopian food",
    "Rudy Van Gelder recordings"), a comma or an end ("Paediatric Surgery, Lagos")."""
    if re.match(r"\s*(?:\(|and\s+[A-Z])", following):
        return True
    nxt = re.match(r"\s*([a-z][\w'’]*)?", following)
    word = (nxt.group(1) or "") if nxt else ""
    return word != "and" and (
        word in _AFTER_PERSON or word in _AGREE or (len(word) > 4 and word.endswith("ed"))
    )


def whom_about(clauses: list[str], contact: set[str], known: set[str]) -> list[str]:
    """Whom each of a note's clauses, in order, is about: "contact", "other" (someone else the
    note names) or "" (no one the reading can tell: the setting, the sender's own doings).

    The first person a clause refers to is its subject: a form of the contact's name, another
    person's name ("Bode (race officer, ...)", "Kwame said"), or "he"/"she", which means the
    contact unless the clause right before was about someone else ("Beatriz and her cofounder"
    / "she said ..."): the notes are about the contact. A relative or animal opening a clause
    ("his sister Funmi restores ...", "Dafydd's daughter runs ...") goes with whomever it is
    of: "her grandmother wrote a cookbook" is the contact's own story. A
    capitalised word after "in", "at" or "near" is a place and after "the" a thing. A clause
    that goes on from the one before with no one in it ("but has no helm", "cut his triage time
    in half") is about the same person as that one. Where the reading is unsure: ""."""
    out: list[str] = []
    before = ""
    for text in clauses:
        found = ""
        spans = list(WORD_RE.finditer(text))
        i = 0
        while i < len(spans) and not found:
            word = spans[i].group(0).strip("'’-")
            previous = spans[i - 1].group(0).lower() if i else ""
            following = spans[i + 1].group(0) if i + 1 < len(spans) else ""
            bare = _possessor(word)
            pronoun = "other" if before == "other" else "contact"  # whom "he" or "she" means
            opens = i == 0 or (i == 1 and previous in _GOES_ON)
            if opens and (word.lower() in ("his", "her") or bare != word) and is_person_noun(following):
                # "his sister Funmi restores ...", "Dafydd's daughter runs ...": about whomever the
                # relative is of; "her grandmother wrote a cookbook" is the contact's own story
                if bare == word:
                    found = pronoun
                else:
                    found = "contact" if bare in contact else "other" if names_someone(bare, known) else ""
            elif THIRD_PERSON.fullmatch(word):
                found = pronoun
            elif bare in contact:
                found = "contact"
            elif word[:1].isupper():
                j = i  # the run of capitalised words, read whole
                while (
                    j + 1 < len(spans)
                    and spans[j + 1].group(0)[:1].isupper()
                    and (text[spans[j].end() : spans[j + 1].start()].strip() == "")
                ):
                    j += 1
                run = [_possessor(m.group(0).strip("'’-")) for m in spans[i : j + 1]]
                if any(w in contact for w in run):
                    found = "contact"
                elif (
                    previous not in NO_ONE_AFTER
                    and not previous.isdigit()
                    and names_someone(run[0], known)
                    and not any(w in known for w in run)
                    and _names_a_person(text[spans[j].end() :])
                ):
                    found = "other"
                i = j
            i += 1
        if not found and spans and (text.lstrip()[:1].islower() or spans[0].group(0).lower() in _GOES_ON):
            found = before
        out.append(found)
        before = found
    return out
