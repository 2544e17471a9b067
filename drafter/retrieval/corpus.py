"""Guidance files cut into passages: stable `source#slug` ids, titles, sections and tags.

The built-in corpus is package data under drafter/data/guidance (the Career Bites #12 article,
text unchanged, and the team's playbook); the user's own files live in Settings.user_guidance_dir.
Markdown is cut at `##` headings; a `<!-- id: slug; kinds: ask; offer; situations: event -->`
line under a heading sets the passage's id and tags and is not part of its text. Plain text is
cut into groups of paragraphs. The article has no headings, so its parts are listed here.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..config import Settings
from ..errors import InputError, RetrievalError

CHUNKER_VERSION = "1"
SUFFIXES = (".md", ".txt")
MAX_WORDS = 200  # longer sections are split at paragraph breaks (the encoder reads 256 tokens)
ARTICLE = "career-bites-12-interview-people"

# The article has no headings: each part starts at the line with this prefix and runs to the next.
_ARTICLE_PARTS: dict[str, list[tuple[str, str, str, str]]] = {
    ARTICLE: [
        (
            "connections-need-a-future",
            "Connections need a future",
            "You’re willing to work hard",
            "keep_in_touch; situations: event; chance",
        ),
        (
            "leave-your-agenda-at-home",
            "At the event, leave your agenda at home",
            "Part of successful networking",
            "situations: event; agenda; tone",
        ),
        (
            "the-agenda-comes-later",
            "The agenda comes later",
            "This is because all relationships",
            "situations: agenda; tone",
        ),
        (
            "give-the-relationship-a-future",
            "Give the relationship a future",
            "Let’s go back to our example",
            "ask; offer; joint_venture; keep_in_touch; situations: timing; chance",
        ),
        (
            "ask-offer-or-joint-venture",
            "Ask, offer, or create a joint venture",
            "Asking for something:",
            "ask; offer; joint_venture",
        ),
        (
            "keep-the-door-open",
            "Keep the door open, then follow up",
            "As with all things, don’t force it",
            "keep_in_touch; situations: later; timing",
        ),
        (
            "more-from-career-protocol",
            "More from Career Protocol",
            "You’re willing to work hard",
            "situations: informational_interview; conference; address",
        ),
    ],
}
_META = re.compile(r"^\s*<!--(.*?)-->\s*$")
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Chunk:
    """One passage before it is stored: its id, provenance, tags and text."""

    id: str
    source: str
    title: str
    section: str
    text: str
    kinds: tuple[str, ...] = ()
    situations: tuple[str, ...] = ()

    @property
    def document(self) -> str:
        """What is embedded and stored: the section heading, a blank line, then the text."""
        return f"{self.section}\n\n{self.text}"

    def metadata(self) -> dict[str, str]:
        # Chroma metadata values must be scalars: tag lists are ';'-joined.
        return {
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "kinds": ";".join(self.kinds),
            "situations": ";".join(self.situations),
        }


def slugify(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "").replace("'", "")).strip("-")
    return slug[:limit].rstrip("-") or "section"


def source_name(path: Path) -> str:
    """The source a guidance file is known by: its file name without suffix, as a slug."""
    return slugify(path.stem, limit=80)


def _parse_tags(comment: str) -> dict[str, list[str]]:
    """`id: slug; kinds: ask; offer; situations: event` -> {"id": [...], "kinds": [...], ...}."""
    tags: dict[str, list[str]] = {"id": [], "kinds": [], "situations": []}
    key = "kinds"
    for token in comment.split(";"):
        token = token.strip()
        if ":" in token:
            key, _, token = (part.strip() for part in token.partition(":"))
        if token and key in tags:
            tags[key].append(token)
    return tags


def _split_long(paragraphs: list[str], limit: int = MAX_WORDS) -> list[str]:
    """Join paragraphs into pieces of at most `limit` words (a longer paragraph stands alone)."""
    pieces: list[list[str]] = [[]]
    for para in paragraphs:
        words = sum(len(p.split()) for p in pieces[-1])
        if pieces[-1] and words + len(para.split()) > limit:
            pieces.append([])
        pieces[-1].append(para)
    return ["\n\n".join(piece) for piece in pieces if piece]


def _paragraphs(text: str) -> list[str]:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) == 1 and "\n" in blocks[0]:  # one paragraph per line, as in the article
        blocks = [line.strip() for line in blocks[0].splitlines() if line.strip()]
    return blocks


def _chunk_article(text: str, source: str) -> list[Chunk]:
    lines = text.split("\n")
    title = lines[0].strip()
    starts: list[int] = []
    for _slug, _section, prefix, _tags in _ARTICLE_PARTS[source]:
        after = starts[-1] + 1 if starts else 1
        found = next((i for i in range(after, len(lines)) if lines[i].startswith(prefix)), None)
        if found is None:
            raise RetrievalError(f"The guidance file {source} has changed: no line starts with {prefix!r}.")
        starts.append(found)
    chunks = []
    for n, (slug, section, _prefix, tags) in enumerate(_ARTICLE_PARTS[source]):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        tags_ = _parse_tags(tags)
        body = "\n".join(lines[starts[n] : end])
        chunks.append(
            Chunk(
                f"{source}#{slug}",
                source,
                title,
                section,
                body,
                tuple(tags_["kinds"]),
                tuple(tags_["situations"]),
            )
        )
    return chunks


def chunk_text(text: str, source: str, suffix: str = ".md") -> list[Chunk]:
    """Cut one guidance file into passages with stable `source#slug` ids."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if source in _ARTICLE_PARTS:
        return _chunk_article(text, source)
    lines = text.split("\n")
    title = source.replace("-", " ").capitalize()
    sections: list[tuple[str, list[str]]] = []  # (heading, lines)
    first = next((line for line in lines if line.strip()), "")
    if suffix == ".md":
        for line in lines:
            match = _HEADING.match(line)
            if match and len(match.group(1)) == 1 and not sections:
                title = match.group(2)
            elif match and len(match.group(1)) > 1:
                sections.append((match.group(2), []))
            else:
                if not sections:
                    sections.append(("", []))
                sections[-1][1].append(line)
    else:
        if len(first) <= 80 and not first.rstrip().endswith((".", "!", "?", ":")) and len(lines) > 1:
            title = first.strip()
            lines = lines[lines.index(first) + 1 :]
        sections = [("", lines)]
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for heading, body_lines in sections:
        tags: dict[str, list[str]] = {"id": [], "kinds": [], "situations": []}
        kept = []
        for line in body_lines:
            meta = _META.match(line)
            if meta:
                tags = _parse_tags(meta.group(1))
            else:
                kept.append(line)
        kinds, situations = tuple(tags["kinds"]), tuple(tags["situations"])
        paragraphs = _paragraphs("\n".join(kept))
        pieces = _split_long(paragraphs)
        for n, piece in enumerate(pieces):
            name = heading or title
            slug = slugify(tags["id"][0] if tags["id"] else heading or " ".join(piece.split()[:6]))
            if len(pieces) > 1:
                name, slug = f"{name} ({n + 1})", f"{slug}-{n + 1}"
            base, k = slug, 2
            while slug in seen:
                slug, k = f"{base}-{k}", k + 1
            seen.add(slug)
            chunks.append(Chunk(f"{source}#{slug}", source, title, name, piece, kinds, situations))
    return chunks


def _builtin_files() -> list[tuple[str, str, bytes]]:
    folder = resources.files("drafter").joinpath("data", "guidance")
    found = [(item.name, item.read_bytes()) for item in folder.iterdir() if item.name.endswith(SUFFIXES)]
    return [(source_name(Path(name)), Path(name).suffix, data) for name, data in sorted(found)]


def _user_files(settings: Settings) -> list[tuple[str, str, bytes]]:
    folder = settings.user_guidance_dir
    if not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [(source_name(p), p.suffix.lower(), p.read_bytes()) for p in paths]


def builtin_sources() -> list[str]:
    return [source for source, _suffix, _data in _builtin_files()]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


@dataclass
class Corpus:
    """All guidance passages, the hash that names their index, and BM25 keyword statistics."""

    chunks: list[Chunk]
    hash: str
    titles: dict[str, str] = field(default_factory=dict)
    _terms: list[dict[str, int]] = field(default_factory=list, repr=False)
    _lengths: list[int] = field(default_factory=list, repr=False)
    _df: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for chunk in self.chunks:
            words = _words(chunk.document)
            terms: dict[str, int] = {}
            for word in words:
                terms[word] = terms.get(word, 0) + 1
            self._terms.append(terms)
            self._lengths.append(len(words))
            for word in terms:
                self._df[word] = self._df.get(word, 0) + 1

    def keyword_scores(self, query: str, k1: float = 1.2, b: float = 0.75) -> dict[str, float]:
        """BM25 score of every passage that shares a word with `query`, by passage id."""
        n = len(self.chunks)
        average = sum(self._lengths) / n if n else 1.0
        scores: dict[str, float] = {}
        for word in set(_words(query)):
            df = self._df.get(word, 0)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for chunk, terms, length in zip(self.chunks, self._terms, self._lengths, strict=True):
                tf = terms.get(word, 0)
                if tf:
                    norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
                    scores[chunk.id] = scores.get(chunk.id, 0.0) + idf * norm
        return scores


def load_corpus(settings: Settings, model_id: str) -> Corpus:
    digest = hashlib.sha256(f"chunker {CHUNKER_VERSION}\nembeddings {model_id}\n".encode())
    chunks: list[Chunk] = []
    for source, suffix, data in _builtin_files() + _user_files(settings):
        digest.update(f"{source}{suffix} {len(data)}\n".encode() + data)
        try:
            chunks.extend(chunk_text(data.decode("utf-8"), source, suffix))
        except UnicodeDecodeError as exc:
            raise RetrievalError(f"Guidance {source}{suffix} is not UTF-8 text: fix or remove it.") from exc
    titles = {c.source: c.title for c in chunks}
    return Corpus(chunks, digest.hexdigest(), titles)


def read_guidance_file(path: Path, taken: Collection[str] = ()) -> tuple[str, str, int]:
    """Check one file the user wants to add: (source, text, passages), or InputError naming it."""
    source = source_name(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"{path}: only .md and .txt guidance files can be added; convert it first.")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8 and try again.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if not text.strip():
        raise InputError(f"{path}: the file is empty; write some guidance in it first.")
    if source in taken:
        raise InputError(f"{path}: the name {source!r} is taken by built-in guidance; rename the file.")
    count = len(chunk_text(text, source, path.suffix.lower()))
    if count == 0:
        raise InputError(f"{path}: no passages found (only headings or comments); add some text.")
    return source, text, count
