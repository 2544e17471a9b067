"""Word lists and patterns shared by planning (what the notes allow) and checks (the rubric).

Everything here is data: regular expressions and sets of words. No behaviour beyond a few
small helpers that normalise words the same way on both sides.
"""

from __future__ import annotations

import re

# --- What the sender must leave at home ------------------------------------------------------

# Lines that carry the sender's own agenda: a job, a referral, a sale, money.
AGENDA_RE = re.compile(
    r"\b("
    r"(?<!her )(?<!his )(?<!their )(?<!cron )(?<!batch )(?<!etl )(?<!build )(?<!ci )(?<!print )"
    r"(?<!spark )(?<!data )(?<!nightly )(?<!background )(?<!side )(?<!odd )jobs?|"
    r"job[- ]hunt\w*|job[- ]search\w*|referrals?|refer me|"
    r"hiring manager|hire me|hire us|"
    r"hiring|recruit\w*|resumes?|résumés?|cv|salary|salaries|compensation|job openings?|any openings|"
    r"openings? (on|at|in) (her|his|their)|open roles?|open positions?|headcount|apply(ing)? (for|to)|"
    r"(my|job) applications?|apply(ing)?\b|(want|love|like|hope) to (work|intern) (at|for|with)\b|"
    r"foot in the door|get me in|"
    r"(?<![-\w])sell(s|ing)?|sales pitch|pitch(ing|ed)?|pitch deck|upsell|demo of (my|our)|"
    r"become (a|our) (client|customer)|"
    r"buy (my|our)|our product|my product|my startup|our startup|"
    r"funding|fund (my|our|us)|investors?|invest(ing|ment|ments|ed|s)?|vcs?|seed round|series [abc]|"
    r"raise (a|our|my) round|"
    r"raising (a round|money|capital|funds|our|my)|angel check|term sheet|"
    r"secretly|my real agenda|(get|be) on (that|the|her|his|their) board|"
    r"join (her|his|their) (team|company|board|firm|startup)|work for (her|him|them)|"
    r"my agenda|the agenda|hidden agenda|ulterior|eventually ask|later ask|ask (her|him|them) later|"
    r"long game|leverage (her|him|them|this)|use (her|him|them) (for|to)"
    r")\b",
    re.IGNORECASE,
)

# "role"/"position" are agenda only when the sender wants one.
AGENDA_ROLE_RE = re.compile(
    r"\b(want|wants|hope|hoping|need|looking for|land|get|apply|interested in|open|opening|"
    r"for me|a role|a position|a spot|on (her|his|their) team)\b.*\b(roles?|positions?|spot)\b|"
    r"\b(roles?|positions?)\b.*\b(for me|open|opening|on (her|his|their) team|at (her|his|their))\b",
    re.IGNORECASE,
)

# Things the contact told the sender in confidence, or that are simply not the sender's to repeat.
CONFIDENCE_RE = re.compile(
    r"\b("
    r"health (issues?|problems?|scare|stuff|condition)|(her|his|their) health|illness|(is|was|fell|been) ill|"
    r"sick|sickness|cancer|chemo\w*|tumou?r|diagnos\w+|surgery|"
    r"in (the )?hospital|hospitali[sz]\w+|therapy|therapist|"
    r"mental health|depress\w+|anxiety|burn(ed|t)? ?out|"
    r"pregnan\w+|expecting a baby|ivf|miscarr\w+|fertility|"
    r"divorc\w+|separated|trial separation|separating from|custody|an affair|"
    r"funeral|passed away|died|dying|grie(f|ving)|bereave\w+|"
    r"layoffs?|laid off|(was|were|been|being|got|get) let go|being fired|got fired|"
    r"restructur\w+|reorg\w*|downsiz\w+|"
    r"confidential\w*|don'?t tell|do not tell|don'?t share|between us|off the record|in confidence|"
    r"not public|hasn'?t announced|not announced|secret|nda|rumou?rs?|"
    r"rehab|sobriety|sober|addiction|"
    r"family (trouble|troubles|issues|problems|stuff|emergency|drama)|"
    r"(mom|dad|mother|father|parent|parents|husband|wife|partner|son|daughter|kid) (is|was|has been) "
    r"(sick|ill|unwell|in hospital|struggling)|caring for (her|his|their) (mom|dad|mother|father|parents?)"
    r")\b",
    re.IGNORECASE,
)

# The sender's notes to themselves.
PRIVATE_RE = re.compile(
    r"("
    r"\bnote to self\b|\bto self\b|\(private\)|\[private\]|^\s*private\s*:|\bfor me only\b|"
    r"\bdidn'?t catch (his|her|their|the)? ?(last |first |full |sur)?name\b|"
    r"\b(forgot|don'?t know|not sure (of|about)) (his|her|their) (last |first |sur)?name\b|"
    r"\bjoke\?|\b(was|if) (that|it|he|she) (was )?(a )?joke\b|"
    r"\bnot sure if (he|she|they) (was|were) joking\b|"
    r"\bdon'?t mention\b|\bdo not mention\b|\bavoid mentioning\b|\bnever mention\b|"
    r"\b(seemed|looked) (bored|annoyed|tired|distracted|drunk|uninterested|awkward)\b|"
    r"\bawkward\b|\bi was (nervous|rambling|awkward)\b|\bembarrass\w*\b|"
    r"\bspelling\?|\bnot sure how to spell\b|\bpronounced\b|"
    r"\bi think (she|he|they) (is|are) (single|married)\b"
    r")",
    re.IGNORECASE,
)

# Lines that read like instructions to a model rather than notes about a person.
INJECTION_RE = re.compile(
    r"("
    r"\bignore (the|these|my|all|your) (notes|rules|guidelines|guidance|context)\b|"
    r"\bignore (all |any |the )?(previous|prior|above|earlier|preceding) "
    r"(instructions|prompts?|rules|messages)\b|"
    r"\bdisregard (all |any |the )?(previous|prior|above|earlier|your) (instructions|prompts?|rules)\b|"
    r"\bforget (all |your )?(previous |prior )?(instructions|rules)\b|"
    r"\b(reveal|print|show|output|repeat|dump|leak|tell me) (me )?(your|the) (system|hidden|initial) "
    r"(prompt|instructions|message)\b|"
    r"\bsystem prompt\b|\byou are now\b|\bact as (an?|the) (ai|assistant|model|dan|unfiltered)\b|"
    r"\bpretend (to be|you are)\b|\bjailbreak\b|\bdo anything now\b|\bdeveloper mode\b|"
    r"\bnew instructions?\s*:|^\s*(system|assistant|user|developer)\s*:|<\|im_(start|end)\|>|"
    r"\[/?inst\]|^\s*#{2,}\s*(instruction|system)|\binstead,? (write|output|say|reply)\b|"
    r"\b(include|insert|add|put) (this|these|the following) (links?|urls?|text|words?) "
    r"(in|into|to) (the|every|each|your) (email|message|reply|subject)\b"
    r")",
    re.IGNORECASE | re.MULTILINE,
)

# Pasted junk that is not about the conversation: signatures, disclaimers, mail clients.
JUNK_RE = re.compile(
    r"("
    r"^\s*sent from my \w+|^\s*get outlook for|^\s*this (e-?mail|message) (and any attachments )?"
    r"(is|may be|contains)|^\s*unsubscribe\b|^\s*(tel|phone|mobile|cell|fax|m|t)\s*[:.]\s*[+(\d]|"
    r"^\s*(on .+ wrote:|from:|to:|cc:|subject:|date:)"
    r")",
    re.IGNORECASE,
)
SIGNATURE_DELIMITER_RE = re.compile(r"^\s*(--|—|__+|-- ?)\s*$")

# Words that, appearing in a draft, suggest an agenda or a confidence leaked. Checked against the
# shareable notes first: a word the notes share openly is not a leak.
AGENDA_WORDS: frozenset[str] = frozenset(
    """job jobs referral referrals hiring hire hired recruiter recruiting resume resumes cv salary
    compensation headcount openings pitch pitching selling funding fundraising invest investor
    investors investment vc agenda""".split()
)
CONFIDENCE_WORDS: frozenset[str] = frozenset(
    """health illness sick cancer chemo diagnosis diagnosed surgery hospital therapy therapist
    depression anxiety burnout pregnant pregnancy ivf miscarriage divorce divorced separation custody
    affair funeral passed died grief layoff layoffs laid confidential secret nda rumor rumour rehab
    sober sobriety""".split()
)

# --- Time -------------------------------------------------------------------------------------

WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS: tuple[str, ...] = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_ABBR: dict[str, int] = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}

_WD = r"(mon|tues|wednes|thurs|fri|satur|sun)day"
_MON = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?)"
)

# A rough "when" in a draft: any of these counts.
WHEN_RE = re.compile(
    r"\b("
    r"(next|this|later this|end of (the|this|next)) (week|month|weekend)|"
    r"(early|mid|late)[- ](next )?(week|month|" + _MON + r")|"
    r"in (the )?(next |coming )?(few|couple( of)?|\d+|two|three|four|five|six|several) (days|weeks|months)|"
    r"in (a|one) (week|month|fortnight)|in a (few|couple( of)?) (days|weeks)|"
    r"(over )?the (next|coming) (few |couple( of)? )?(days|weeks)|"
    r"(by|on|next|this|before|after|until|till) " + _WD + r"|" + _WD + r"|"
    r"(by|on|in|before|after|early|mid|late|end of|until) " + _MON + r"|"
    r"(by|on|before|after|until|around) the \d{1,2}(st|nd|rd|th)|"
    r"within (a|one|two|the next|\d+) (days?|weeks?)|in the new year|"
    r"tomorrow|tonight|later today|this weekend|after the holidays|"
    r"\d{1,2}(st|nd|rd|th)? (of )?" + _MON + r"|" + _MON + r" \d{1,2}(st|nd|rd|th)?"
    r")\b",
    re.IGNORECASE,
)

# --- Words that are never invented facts ------------------------------------------------------

# Capitalised words that any follow-up may use without the notes mentioning them.
COMMON_CAPITALIZED: frozenset[str] = frozenset(
    """i i'm i'd i'll i've hi hello hey dear thanks thank thankyou great good it it's it was was that
    this the a an and but so if when what how why where who would could can will shall may might
    let let's looking hope hoping really loved enjoyed nice wonderful lovely best kind warm warmly
    regards cheers sincerely all talk speak see chat catch meeting meet glad happy pleasure fun
    also again just as our your my we you he she they there here then in on at for to of with by
    from about after before next last since until yes no ok okay p.s ps re fwd subject following
    follow following quick coffee lunch one two three four five six seven eight nine ten few
    please feel any anyway either no not whenever wishing wish take care talk soon speaking
    sorry apologies congratulations congrats well oh wow absolutely definitely perhaps maybe
    still always sure am pm utc linkedin email ps p.s""".split()
)

STOPWORDS: frozenset[str] = frozenset(
    """a an the and or but if then so of to in on at for with by from about as into over under
    up down out off is are was were be been being am do does did have has had having i me my
    mine we us our you your he him his she her hers they them their it its this that these those
    there here what which who whom whose when where why how all any both each few more most
    other some such no nor not only own same than too very can will just should would could
    may might must shall also really quite lot lots much many talked talk talking chatted chat
    discussed mentioned said says told about re etc like likes liked love loves loved get got
    going go went one two thing things stuff bit kind sort maybe yes ok okay i'm i'll i'd i've
    she's he's they're it's that's we're you're""".split()
)

TITLES: dict[str, str] = {
    "dr": "Dr.",
    "doctor": "Dr.",
    "prof": "Prof.",
    "professor": "Professor",
    "mr": "Mr.",
    "mrs": "Mrs.",
    "ms": "Ms.",
    "mx": "Mx.",
    "miss": "Miss",
    "rev": "Rev.",
    "reverend": "Rev.",
    "sir": "Sir",
    "dame": "Dame",
    "fr": "Fr.",
    "father": "Father",
    "sr": "Sr.",
    "pastor": "Pastor",
    "rabbi": "Rabbi",
    "imam": "Imam",
    "judge": "Judge",
    "capt": "Capt.",
    "captain": "Captain",
}
NAME_SUFFIXES: frozenset[str] = frozenset(
    "jr jr. sr. ii iii iv phd ph.d. md m.d. mba esq esq. cpa pe rn dds jd".split()
)

ABBREVIATIONS: tuple[str, ...] = (
    "dr",
    "mr",
    "mrs",
    "ms",
    "mx",
    "prof",
    "st",
    "vs",
    "e.g",
    "i.e",
    "etc",
    "jr",
    "sr",
    "inc",
    "co",
    "ltd",
    "no",
    "approx",
    "dept",
    "u.s",
    "u.k",
)

_WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9][\wÀ-ÖØ-öø-ÿ'’-]*")


def words(text: str) -> list[str]:
    """The words of a text, in order, as written."""
    return _WORD_RE.findall(text)


def stem(word: str) -> str:
    """A crude, shared normalisation: lower case, no possessive, no plural or -ing/-ed ending."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)] + keep
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    return w


def content_words(text: str) -> list[str]:
    """Stemmed words of a text that carry meaning (no stopwords, no one-letter words)."""
    out = []
    for word in words(text):
        low = word.lower().replace("’", "'")
        if low in STOPWORDS or len(low) < 2:
            continue
        out.append(stem(low))
    return out


# Capitalised only because they start a sentence: never a detail on their own.
SENTENCE_STARTERS: frozenset[str] = frozenset(
    """met meeting talked chatted spoke discussed mentioned said told asked loves loved likes liked
    wants wanted works worked working lives lived has had was is will would also then later after
    before during great super very really seems seemed sounds sounded both recommended invited
    introduced promised follow followed ran bumped sat thinks thought knows knew needs needed
    interesting funny smart kind nice lovely cool awesome amazing good fun new big small huge want need keep
    have will can should could must
    definitely probably maybe apparently turns turned just since currently recently""".split()
)

# Words too generic to count as a specific detail of the conversation.
GENERIC_TOPICS: frozenset[str] = frozenset(
    """event networking meetup night evening conference mixer party interview informational chat coffee
    talk session call meeting dinner lunch drink drinks great nice fun good time
    conversation person people work
    thing stuff wants feedback nothing everything something life else lol haha""".split()
)


# --- Cues planning reads in the notes ---------------------------------------------------------


def _rx(*parts: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile("".join(parts), flags)


_NAME = (
    r"[\"'“‘]?((?:Dr\.?|Prof\.?|Professor|Mr\.?|Mrs\.?|Ms\.?|Mx\.?)?\s*"
    r"[A-ZÀ-Ö][\w'’.-]*(?:[- ][A-Z][\w'’-]+)?)"
)
# How the contact wants to be called; the name itself is case-sensitive.
NAME_CUES: tuple[re.Pattern[str], ...] = (
    _rx(r"\b(?i:goes by) (?:(?i:her|his|their) (?:middle |last |nick)?name,?\s*)?", _NAME, flags=0),
    _rx(r"\b(?i:call|calls) (?i:him|her|them) ", _NAME, flags=0),
    _rx(r"\b(?i:(?:she|he|they)(?:'s| is| are) called|everyone calls (?:him|her|them)) ", _NAME, flags=0),
    _rx(r"\b(?i:prefers) (?:to be called |to go by |being called |to be addressed as )?", _NAME, flags=0),
    _rx(
        r"\b(?i:known as|nickname(?: is)?|likes to be called|wants to be called|addressed as)\s*",
        _NAME,
        flags=0,
    ),
)
FAMILY_FIRST_RE = _rx(r"\b(family name|surname|last name) (comes )?first\b|\bfamily[- ]name[- ]first\b")

# Topics: "talked about X", "bonded over X", "loves X", "working on X".
TOPIC_CUE_RE = _rx(
    r"\b(?:talked|talking|chatted|chatting|spoke|speaking|discussed|discussing|bonded|geeked out|nerded out|",
    r"laughed|joked|ranted|raved|compared notes|swapped stories|debated|argued)(?:\s+[^\s.;!?]+){0,6}?\s+",
    r"(?:about|over|re)\s+(?P<x>[^.;!?()]+)|",
    r"\b(?:talked|talking|chatted|spoke|speaking)\s+on\s+(?P<z>[^.;!?()]+)|",
    r"\b(?:discussed|debated|recommended|mentioned|loves|adores|(?:she|he|they|both|we) love|into|",
    r"obsessed with|fan of|passionate about|interested in|working on|works on|building|learning|studying|",
    r"reading|writing|gave a talk on|talk on|presented on|hobby is|plays|collects|training for|visited|",
    r"trip to|moving to|moved to|grew up in|volunteers? at|excited about|curious about|pair on|hack on|",
    r"lecture on|lecture about|presentation on|keynote on|workshop on|panel on|talk about|runs|uses|built|",
    r"builds|makes|designs|designing|restoring|restores|keeps|grows|brews|teaches|coaches|organi[sz]es|",
    r"hosts|founded|started|leads|writes|paints|knits|bakes|cooks|translates|explained|showed me|",
    r"(?:both|we) (?:want|wanted|plan|hope|would like) to|wants? to (?:try|visit|see|check out)|",
    r"nerds out about|about|abt)",
    r"\s+(?P<y>[^.;!?()]+)",
)
# Where a topic phrase ends.
PHRASE_CUT_RE = _rx(
    r"\s*(?:,|:|\s-\s|\bat (?:the|a|an|his|her|their|our|my)\b|",
    r"\b(?:was|is|were|are|has|had)\b|(?<!-)\band\b(?!-)|",
    r"\bbut\b|\bbecause\b|\bwhich\b|\bthat\b|\bwho\b|\bwhen\b|\bwhile\b|\bso\b|\bsince\b|",
    r"\balthough\b|\bthough\b|\buntil\b|\bafter\b|\bbefore\b|\bas well\b|\bI\b|\bshe\b|\bhe\b|\bthey\b|",
    r"\bwe\b|\bfor (?:a|an|about) \w+\b|\blast\b|\bnext\b|\byesterday\b|\btoday\b|\btonight\b|\bwith me\b)",
    flags=0,
)
# Words a next-step topic may not end on.
STEP_TRAIL: frozenset[str] = frozenset(
    "a an the and or but of to in on at for with from by about my our your".split()
)

# Where the topic of a next step ends (looser: "whether a master's is worth it" stays whole).
STEP_CUT_RE = _rx(
    r"\s*(?:;|,\s*(?:but|and|so)\b|\s-\s|\bbut\b|\bbecause\b|\balthough\b|\bthough\b|\bsince\b)"
)
LEAD_DROP: frozenset[str] = frozenset(
    "a an her his their my our your some about its lots of then first also".split()
)
# Words that pad a topic phrase without being part of it.
FILLER_RE = _rx(
    r"\b(sometime|someday|some time|at some point|together|this wknd|this weekend|eventually|maybe)\b"
)
EXTEND_STOP: frozenset[str] = (STOPWORDS - {"talk", "chat", "stuff", "thing", "things", "lot", "lots"}) | set(
    "last next year week month yesterday today ago later soon again earlier tonight too lol".split()
)

# What the sender promised to do ("I'll send her the link").
_ACTION = (
    r"(?:send|share|forward|email|e-mail|intro(?:duce)?|connect|pass along|pass on|dig up|look up|find|"
    r"write up|put together|loop|drop|mail|text|lend|recommend|check|post|dm|ping|make|bring|get)"
)
PROMISE_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"\b(?:I'?ll|I will|ill|I'm going to|I am going to|I promised(?: to)?|I said I'?d|I offered to|",
            r"I agreed to|I can|told (?:her|him|them) I'?d|I need to|I should|I must|I'd)\s+(?:also\s+)?",
            r"(?P<x>",
            _ACTION,
            r"\b[^.;!?]*)",
        ),
        "{x}",
    ),
    (
        _rx(
            r"(?:^|[,;]\s*)(?:promised(?: to)?|will|to ?do:?|todo:?|must|need to|should|remember to)\s+",
            r"(?P<x>",
            _ACTION,
            r"\b[^.;!?]*)",
        ),
        "{x}",
    ),
    (_rx(r"^(?P<x>(?:send|share|forward|intro(?:duce)?|email)\s+(?:her|him|them)\b[^.;!?]*)"), "{x}"),
    (_rx(r"\bI (?:promised|owe) (?:her|him|them) (?P<x>(?:a|an|the|my)\b[^.;!?]*)"), "send {x}"),
)
# A small, relevant favour the sender would like to ask.
ASK_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"\b(?:ask|asking) (?:her|him|them) (?:for|about) (?P<x>[^.;!?]+)"), "{x}"),
    (
        _rx(
            r"\b(?:want|love|hoping|hope|like|get)\s+(?:to get |to hear )?(?:her|his|their)\s+",
            r"(?P<x>(?:take|thoughts|feedback|advice|recommendations?|input|opinion|pointers)\b[^.;!?]*)",
        ),
        "your {x}",
    ),
    (
        _rx(
            r"\b(?:she|he|they) (?:said (?:she|he|they)'?d|offered to|will|'ll|could|can) send (?:me )?",
            r"(?P<x>[^.;!?]+)",
        ),
        "{x}",
    ),
    (
        _rx(
            r"\b(?:forgot|didn'?t (?:get|catch|write down)|missed|need) the (?:name|title|link) of "
            r"(?P<x>[^.;!?]+)"
        ),
        "the name of {x}",
    ),
    (
        _rx(
            r"\b(?:she|he|they) (?:mentioned|recommended|suggested) (?:a|an|the|some|this)\s+(?P<x>",
            r"(?:book|podcast|article|paper|course|newsletter|talk|video|tool|library|blog|documentary|film|",
            r"show|recipe|restaurant|app|resource|trail|cafe|bakery|class)\b[^.;!?]*?)",
            r"(?=\s*(?:,|\bbut\b|\band\b|$)).*"
            r"\b(?:forgot|didn'?t (?:get|catch|write)|missed|ask|title|name)\b",
        ),
        "the name of the {x} you mentioned",
    ),
    (
        _rx(r"\b(?:could|can|might|offered to) (?:intro(?:duce)?|connect) me (?:to|with) (?P<x>[^.;!?]+)"),
        "an introduction to {x}",
    ),
)
# Both want to continue something together.
JOINT_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"\b(?:keep talking|keep the conversation going|continue (?:the|our) (?:conversation|chat|",
            r"discussion|debate)|pick (?:this|it|the conversation) up|",
            r"finish (?:our|the) (?:debate|conversation)|",
            r"compare notes|swap notes|brainstorm|jam|hack|pair(?:ing)?|collaborate|team up|co-?write|",
            r"co-?author|co-?host|co-?organi[sz]e)\b(?: (?:about|on|over|re))?\s*(?P<x>[^.;!?]*)",
        ),
        "{x}",
    ),
    (
        _rx(
            r"\bboth (?:want to|wanted to|are|were|seemed)?\s*(?:interested in|keen on|curious about|",
            r"excited about|into|want to (?:try|explore|learn|do|visit|go))\s+(?P<x>[^.;!?]+)",
        ),
        "{x}",
    ),
    (
        _rx(
            r"\b(?:grab|get|have) (?:a |another )?(?:coffee|lunch|a drink|drinks|a beer|tea|dinner)\b",
            r"(?: (?:to|and) (?:continue|talk about|chat about|keep talking about))?\s*(?P<x>[^.;!?]*)",
        ),
        "{x}",
    ),
    (_rx(r"\bboth (?:want|wanted|would like|hope|plan|need) to (?P<x>\w+[^.;!?]*)"), "{x}"),
    (
        _rx(
            r"\b(?:try|visit|check out|see|explore|go to|play|hike|climb|ride|run|watch)\s+",
            r"(?P<x>[^.;!?]+?)\s+together\b",
        ),
        "{x}",
    ),
    (_rx(r"\b(?:together|meet up again|next (?:meetup|session|match|game))\b(?P<x>)"), "{x}"),
)

# Lower-case words inside a name or title ("Queen of Sheba", "Paco de Lucía", "Vincent van Gogh").
NAME_CONNECTORS: frozenset[str] = frozenset("of de del della di da du la le van von der den y the".split())

# Verbs that open a shared plan ("both want to start a repair café" -> "starting a repair café").
PLAN_VERBS: frozenset[str] = frozenset(
    """start try organize organise build run launch visit explore learn do go make write host plan create
    form set join practice practise record restore cook bake brew play climb hike ride swim""".split()
)

# People other than the contact: after one is named, "his"/"her" may be theirs, not the contact's.
THIRD_PARTIES: frozenset[str] = frozenset(
    """coach friend husband wife partner boss colleague coworker co-worker brother sister mom dad mother
    father son daughter kid kids manager someone guy woman man cousin uncle aunt founder ceo teacher
    mentor neighbor neighbour""".split()
)

# Rewriting a note about the contact into words to them.
OBJECT_FORMS: dict[str, str] = dict(
    pair.split("=")
    for pair in """him=you them=you his=your their=your hers=yours theirs=yours herself=yourself
    himself=yourself themselves=yourself she=you he=you they=you she's=you're he's=you're they're=you're
    she'd=you'd he'd=you'd she'll=you'll he'll=you'll""".split()
)
HER_AS_OBJECT: frozenset[str] = frozenset(
    "the a an that this some my our over back to about on in at with for and know up along out".split()
)

# Where they met -> setting, first match wins.
SETTING_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "informational_interview",
        _rx(
            r"informational|info(rmational)? interview|career (chat|conversation)|",
            r"picked (her|his|their) brain|coffee chat",
        ),
    ),
    (
        "conference",
        _rx(
            r"conference|summit|symposium|\w+con\b|expo|convention|keynote|panel|booth|",
            r"offsite|retreat|conf\b",
        ),
    ),
    (
        "chance",
        _rx(
            r"\btrain\b|plane|flight|airport|\bbus\b|subway|metro|tram|ferry|queue|in line|elevator|",
            r"\blift\b|gym|ran into|bumped into|by chance|randomly|sat next to|dog park|playground|",
            r"waiting room|laundromat|coffee shop|caf[eé]\b|hotel lobby|uber|taxi|market|\bpark\b|beach|",
            r"\bbar\b|\bpub\b|supermarket|grocery|bookshop|bookstore|hair salon|wedding|neighbou?r",
        ),
    ),
    (
        "event",
        _rx(
            r"meetup|meet-up|networking|mixer|event|party|reception|alumni|dinner|happy hour|gala|",
            r"fundraiser|hackathon|launch|drinks|book club|talk night|lecture|",
            r"seminar|webinar|reunion|\bnight\b|evening|\bfair\b|festival|concert|\bgig\b|exhibition|gallery|",
            r"screening|open studio|workshop|\bclass\b|course|\bcamp\b|breakfast|brunch|choir|",
            r"volunteer|rehearsal",
        ),
    ),
)

# Times the notes may give for the next step.
_MONTHS_G = r"(?P<m>" + "|".join(MONTHS) + r"|" + "|".join(MONTH_ABBR) + r")\b"
NTH_DAY_RE = _rx(r"\b(after|by|before|on|around) the (\d{1,2})(st|nd|rd|th)\b")
WEEKDAY_WHEN_RE = _rx(
    r"\b(next|by|before|until|this coming|after) ((?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
)
MONTH_WHEN_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"\bafter (?:her|his|their|the) [a-z][a-z ]{1,30}? in ", _MONTHS_G), "after"),
    (_rx(r"\b(?P<p>early|mid|late|end of|in|after|by|before)[- ]", _MONTHS_G), ""),
    (_rx(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)? (?:of )?", _MONTHS_G), ""),
)
MONTH_PART_DAY: dict[str, int] = {"early": 5, "mid": 15, "late": 24, "end of": 26, "after": 15}
IN_N_RE = _rx(r"\bin (a few|a couple of|a couple|two|three|four|five|six|\d+) (days|weeks)\b")
COUNT_WORDS: dict[str, int] = {"a few": 3, "a couple of": 2, "a couple": 2, "two": 2, "three": 3, "four": 4}
COUNT_WORDS |= {"five": 5, "six": 6}


# --- Reading a draft ----------------------------------------------------------------------------

# How a draft states each kind of next step.
STEP_RES: dict[str, re.Pattern[str]] = {
    "ask": _rx(
        r"\b(could you|can you|would you mind (sharing|sending|pointing|passing|recommending|telling)|",
        r"would you (still )?be (happy|willing|open) to ",
        r"(share|send|introduce|recommend|point|pass|tell|connect)|",
        r"do you (happen to )?(have|know|remember)|",
        r"any chance you|",
        r"i'?d (love|appreciate) (it if you|your|to hear)|mind sharing|if you could (share|send|point))",
    ),
    "offer": _rx(
        r"\b(i'?ll (send|share|forward|pass|dig up|put together|email|introduce|intro|loop|get you|drop)|",
        r"i will (send|share|forward|introduce)|i'?m (sending|attaching)|i'?ve attached|here'?s the|",
        r"here is the|attached is|as promised|sending (you|over))",
    ),
    "joint_venture": _rx(
        r"\b(continu\w+ (our|the|this) (conversation|chat|discussion)|keep (the conversation|talking)|",
        r"(grab(bing)?|get(ting)?|hav(e|ing)|meet(ing)? for) (a |another )?",
        r"(coffee|lunch|drink|drinks|tea|dinner)|",
        r"pick (this|it) (back )?up|",
        r"would you be up for|let'?s (meet|grab|get|continue|find|pair|try)|pair on|compare notes|",
        r"catch up over|(do|try|explore|work on) (it|this|that) together)",
    ),
    "keep_in_touch": _rx(
        r"\b(stay in touch|keep in touch|reach out|would you mind if i (reach out|follow up|check in)|",
        r"touch base|keep the door open|check in)",
    ),
}

# A sign-off line ("Best,", "Thanks again!").
SIGNOFF_RE = _rx(
    r"^(best|best wishes|(kind |warm |best )?regards|thanks|thanks again|thank you|cheers|warmly|",
    r"all the best|talk soon|take care|sincerely)\b[\s,.!]*",
)

# Left-over template text.
PLACEHOLDER_RE = _rx(
    r"\[[^\]\n]{0,40}\]|\{[^}\n]{0,40}\}|<[^<>\n]{1,40}>|\bX{3,}\b|\bTODO\b|\bTBD\b|\bFIXME\b|",
    r"\blorem ipsum\b|\binsert (name|company|date|link)\b|\b(your|contact|recipient|sender)_name\b",
)

_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|\n|$)")


def sentences(text: str) -> list[str]:
    """The sentences (or lines) of a draft, stripped, in order; abbreviations like "Dr." stay joined."""
    out: list[str] = []
    for piece in _SENTENCE_RE.findall(text):
        piece = piece.strip()
        if not piece:
            continue
        last = (out[-1].rstrip(".").rsplit(" ", 1)[-1].lower()) if out else ""
        if out and out[-1].endswith(".") and last in ABBREVIATIONS:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
