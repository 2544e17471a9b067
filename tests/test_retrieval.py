"""Chunking, stable ids, the content hash, rebuild-on-change, ingest and the Chroma round trip."""

from __future__ import annotations

import hashlib
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from drafter.config import Settings
from drafter.errors import InputError, RetrievalError
from drafter.retrieval import (
    COLLECTION_PREFIX,
    GuidanceIndex,
    get_index,
    situation_aspects,
    situation_query,
)
from drafter.retrieval.corpus import ARTICLE, builtin_sources, chunk_text, load_corpus, slugify

GUIDANCE = Path(__file__).resolve().parents[1] / "drafter" / "data" / "guidance"
ARTICLE_TEXT = (GUIDANCE / f"{ARTICLE}.txt").read_text(encoding="utf-8")
PLAYBOOK_TEXT = (GUIDANCE / "playbook.md").read_text(encoding="utf-8")
KINDS = ("ask", "offer", "joint_venture", "keep_in_touch")
WANTED = {  # passages that ground each next-step kind
    "ask": {"playbook#ask", f"{ARTICLE}#ask-offer-or-joint-venture"},
    "offer": {"playbook#offer", f"{ARTICLE}#ask-offer-or-joint-venture"},
    "joint_venture": {"playbook#joint-venture", f"{ARTICLE}#ask-offer-or-joint-venture"},
    "keep_in_touch": {"playbook#keep-the-door-open", f"{ARTICLE}#keep-the-door-open"},
}


class WordEmbeddings(Embeddings):
    """Deterministic bag-of-words vectors: fast, and enough to test the index's plumbing."""

    model_id = "test:words"

    def __init__(self) -> None:
        self.calls = 0

    def _vector(self, text: str) -> list[float]:
        vector = np.zeros(128)
        for word in re.findall(r"[a-z]+", text.lower()):
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % 128] += 1.0
        return (vector / (np.linalg.norm(vector) or 1.0)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class BrokenEmbeddings(WordEmbeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("embedding failed")


@pytest.fixture(autouse=True)
def no_default_embedding_function(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's default embedding function downloads a model: any call to it fails the test."""
    from chromadb.api import types
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2

    def refuse(self: object, input: object) -> None:  # Chroma checks this signature
        raise AssertionError("Chroma's default embedding function was called")

    monkeypatch.setattr(types.DefaultEmbeddingFunction, "__call__", refuse)
    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "__call__", refuse)


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env()  # data_dir is this test's tmp dir (conftest)


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> GuidanceIndex:
    """The real index (bundled encoder, real Chroma store), built once for the module."""
    index = GuidanceIndex(Settings(data_dir=tmp_path_factory.mktemp("data")))
    assert index.ensure_built() is True
    return index


# --- chunking -------------------------------------------------------------------------------


def test_article_parts_keep_the_text_unchanged() -> None:
    chunks = chunk_text(ARTICLE_TEXT, ARTICLE, ".txt")
    assert [c.id.split("#")[1] for c in chunks] == [
        "connections-need-a-future",
        "leave-your-agenda-at-home",
        "the-agenda-comes-later",
        "give-the-relationship-a-future",
        "ask-offer-or-joint-venture",
        "keep-the-door-open",
        "more-from-career-protocol",
    ]
    assert {c.title for c in chunks} == {"Career Bites #12: Interview People"}
    # The title line plus the parts, joined again, is the file byte for byte.
    assert "\n".join([ARTICLE_TEXT.split("\n")[0]] + [c.text for c in chunks]) == ARTICLE_TEXT
    door = next(c for c in chunks if c.id.endswith("#keep-the-door-open"))
    assert "Would you mind if I reach out to you in the next few weeks?" in door.text
    assert door.kinds == ("keep_in_touch",)


def test_playbook_sections() -> None:
    chunks = chunk_text(PLAYBOOK_TEXT, "playbook", ".md")
    assert len(chunks) >= 25
    assert len({c.id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.title == "Follow-up Playbook"
        assert chunk.section and "<!--" not in chunk.text and "##" not in chunk.text
        assert 50 <= len(chunk.text.split()) <= 150, chunk.id
        assert set(chunk.kinds) <= set(KINDS), chunk.id
    covered = {k for c in chunks for k in c.kinds}
    assert covered == set(KINDS)
    situations = {s for c in chunks for s in c.situations}
    for needed in (
        "email",
        "linkedin",
        "text",
        "agenda",
        "confidence",
        "address",
        "informational_interview",
        "conference",
        "event",
        "chance",
        "later",
    ):
        assert needed in situations, needed
    metadata = chunks[0].metadata()
    assert all(isinstance(v, str) for v in metadata.values())
    assert metadata["kinds"] == "ask;offer;joint_venture;keep_in_touch"


def test_ids_are_stable_across_edits_and_runs() -> None:
    first = [c.id for c in chunk_text(PLAYBOOK_TEXT, "playbook")]
    assert first == [c.id for c in chunk_text(PLAYBOOK_TEXT, "playbook")]
    edited = PLAYBOOK_TEXT.replace(
        "## Can't think of anything to ask or offer? Keep the door open", "## Keep the door open"
    ).replace("That is a complete next step.", "That is a whole next step.")
    assert [c.id for c in chunk_text(edited, "playbook")] == first
    assert "playbook#keep-the-door-open" in first


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        (
            "# Notes\n\n## First tip\nSay thanks.\n\n## First tip\nBe brief.\n",
            ".md",
            [("mine#first-tip", "First tip", "Say thanks."), ("mine#first-tip-2", "First tip", "Be brief.")],
        ),
        (
            "Intro line here.\n\n## Tip\n"
            "<!-- id: my-tip; kinds: offer; situations: email -->\nOffer the link.\n",
            ".md",
            [("mine#intro-line-here", "Mine", "Intro line here."), ("mine#my-tip", "Tip", "Offer the link.")],
        ),
        (
            "Channel notes\nUse email for recruiters.\n\nUse texts for friends.\n",
            ".txt",
            [
                (
                    "mine#use-email-for-recruiters-use-texts",
                    "Channel notes",
                    "Use email for recruiters.\n\nUse texts for friends.",
                )
            ],
        ),
        ("## Only a heading\n<!-- kinds: ask -->\n", ".md", []),
    ],
)
def test_chunking_user_files(text: str, suffix: str, expected: list[tuple[str, str, str]]) -> None:
    chunks = chunk_text(text, "mine", suffix)
    assert [(c.id, c.section, c.text) for c in chunks] == expected


def test_long_sections_are_split_at_paragraphs() -> None:
    para = " ".join(["word"] * 90)
    chunks = chunk_text(f"## Long one\n{para}\n\n{para}\n\n{para}\n", "mine")
    assert [c.id for c in chunks] == ["mine#long-one-1", "mine#long-one-2"]
    assert [len(c.text.split()) for c in chunks] == [180, 90]


def test_slugify() -> None:
    assert slugify("LinkedIn note: 300 characters at most") == "linkedin-note-300-characters-at-most"
    assert slugify("Don’t force it!") == "dont-force-it"
    assert slugify("!!!") == "section"


def test_content_hash_covers_corpus_and_model(settings: Settings) -> None:
    base = load_corpus(settings, "model-a")
    assert load_corpus(settings, "model-a").hash == base.hash
    assert load_corpus(settings, "model-b").hash != base.hash
    settings.user_guidance_dir.mkdir(parents=True)
    (settings.user_guidance_dir / "mine.md").write_text("## Tip\nSay thanks.\n", encoding="utf-8")
    assert load_corpus(settings, "model-a").hash != base.hash
    assert builtin_sources() == [ARTICLE, "playbook"]


# --- the index ------------------------------------------------------------------------------


def _collections(index: GuidanceIndex) -> list[str]:
    return sorted(c.name for c in index._client.list_collections())


def test_rebuilt_only_when_corpus_or_model_changes(settings: Settings) -> None:
    embeddings = WordEmbeddings()
    assert GuidanceIndex(settings, embeddings).ensure_built() is True
    assert embeddings.calls == 1
    again = GuidanceIndex(settings, embeddings)  # a new process, in effect
    assert again.ensure_built() is False
    assert embeddings.calls == 1
    settings.user_guidance_dir.mkdir(parents=True)
    (settings.user_guidance_dir / "mine.md").write_text("## Tip\nBring pastries.\n", encoding="utf-8")
    assert again.ensure_built() is True
    other_model = WordEmbeddings()
    other_model.model_id = "test:other"
    index = GuidanceIndex(settings, other_model)
    assert index.ensure_built() is True
    names = _collections(index)
    assert len(names) == 1 and names[0].startswith(COLLECTION_PREFIX)  # old collections removed
    assert re.fullmatch(r"[a-zA-Z0-9._-]{3,512}", names[0])


def test_incomplete_index_is_rebuilt(settings: Settings) -> None:
    index = GuidanceIndex(settings, WordEmbeddings())
    index.ensure_built()
    index._store.delete(ids=["playbook#email"])
    assert GuidanceIndex(settings, WordEmbeddings()).ensure_built() is True


def test_round_trip_through_a_real_store(settings: Settings) -> None:
    index = GuidanceIndex(settings, WordEmbeddings())
    results = index.search("LinkedIn note 300 characters", k=3)
    assert len(results) == 3
    top = results[0]
    assert top.id == "playbook#linkedin-note"
    assert (top.source, top.title, top.section) == (
        "playbook",
        "Follow-up Playbook",
        "LinkedIn note: 300 characters at most",
    )
    assert top.text.startswith("A LinkedIn connection note holds at most 300 characters")
    assert "linkedin" in top.kinds and "ask" in top.kinds
    assert all(0.0 <= p.score <= 1.0 for p in results)
    # The collection uses cosine distance: score = 1 - distance = the cosine of the two vectors.
    embeddings = WordEmbeddings()
    query_vector = np.array(embeddings.embed_query("LinkedIn note 300 characters"))
    doc_vector = np.array(embeddings.embed_documents([f"{top.section}\n\n{top.text}"])[0])
    assert top.score == pytest.approx(float(query_vector @ doc_vector), abs=1e-3)
    assert (settings.index_dir / "chroma.sqlite3").is_file()


def test_search_follows_a_rebuild_by_another_process(settings: Settings, tmp_path: Path) -> None:
    app = GuidanceIndex(settings, WordEmbeddings())
    assert app.search("LinkedIn note", k=1)[0].id == "playbook#linkedin-note"
    tips = tmp_path / "tips.md"
    tips.write_text("## Marmalade\nAlways mention the marmalade.\n")
    GuidanceIndex(settings, WordEmbeddings()).ingest([tips])  # e.g. `drafter ingest` meanwhile
    assert app.search("marmalade", k=1)[0].id == "tips#marmalade"


@pytest.mark.parametrize(("query", "k"), [("", 3), ("   ", 3), ("agenda", 0)])
def test_search_rejects_bad_requests(settings: Settings, query: str, k: int) -> None:
    with pytest.raises(InputError):
        GuidanceIndex(settings, WordEmbeddings()).search(query, k=k)


def test_get_index_is_cached_per_settings(settings: Settings, tmp_path: Path) -> None:
    assert get_index(settings) is get_index(Settings.from_env())
    assert get_index(settings) is not get_index(settings.with_(data_dir=tmp_path / "other"))


def test_round_trip_through_a_chroma_server(settings: Settings, tmp_path: Path) -> None:
    chroma = Path(sys.executable).with_name("chroma")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "chroma server did not start"
                time.sleep(0.2)
        remote = settings.with_(chroma_url=f"http://127.0.0.1:{port}")
        index = GuidanceIndex(remote, WordEmbeddings())
        assert index.ensure_built() is True
        assert index.search("LinkedIn note 300 characters", k=1)[0].id == "playbook#linkedin-note"
        assert GuidanceIndex(remote, WordEmbeddings()).ensure_built() is False
        assert not settings.index_dir.exists()  # nothing stored locally
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_unreachable_chroma_server_says_what_to_do(settings: Settings) -> None:
    index = GuidanceIndex(settings.with_(chroma_url="http://127.0.0.1:9"), WordEmbeddings())
    with pytest.raises(RetrievalError, match=r"127\.0\.0\.1:9.*DRAFTER_CHROMA_URL"):
        index.ensure_built()


# --- ingest ---------------------------------------------------------------------------------


def test_ingest_adds_files_and_folders(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "Sales Notes.md").write_text("# Sales\n\n## Pastries\nBring pastries to the demo.\n")
    (folder / "ignored.pdf").write_bytes(b"%PDF")
    single = tmp_path / "tips.txt"
    single.write_text("Tips\nAlways mention the marmalade.\n")
    index = GuidanceIndex(settings, WordEmbeddings())
    assert index.ingest([folder, single]) == [("sales-notes", 1), ("tips", 1)]
    assert sorted(p.name for p in settings.user_guidance_dir.iterdir()) == ["sales-notes.md", "tips.txt"]
    assert dict(index.sources()) == {ARTICLE: 7, "playbook": 33, "sales-notes": 1, "tips": 1}
    assert index.search("marmalade", k=1)[0].id == "tips#always-mention-the-marmalade"
    # Used from then on: a fresh index over the same data directory sees it without rebuilding.
    fresh = GuidanceIndex(settings, WordEmbeddings())
    assert fresh.ensure_built() is False
    assert fresh.search("pastries demo", k=1)[0].id == "sales-notes#pastries"
    # Adding a file again replaces its passages.
    single.write_text("Tips\nNever mention the weather.\n")
    index.ingest([single])
    assert [p.id for p in index.search("weather", k=1)] == ["tips#never-mention-the-weather"]
    assert dict(index.sources())["tips"] == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.md", None, "no such file"),
        ("notes.pdf", b"%PDF-1.4", "only .md and .txt"),
        ("empty.md", b"  \n\n", "empty"),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not UTF-8"),
        ("headings.md", b"## Heading only\n<!-- kinds: ask -->\n", "no passages"),
        ("playbook.md", b"## Mine\nText.\n", "taken by built-in"),
        (f"{ARTICLE}.txt", b"My own copy.\n", "taken by built-in"),
    ],
)
def test_ingest_rejects_bad_files_and_adds_nothing(
    settings: Settings, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    good = tmp_path / "good.md"
    good.write_text("## Good\nA fine tip.\n")
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    index = GuidanceIndex(settings, WordEmbeddings())
    with pytest.raises(InputError, match=message) as info:
        index.ingest([good, bad])
    assert str(bad) in str(info.value)
    assert not settings.user_guidance_dir.exists()
    assert [s for s, _ in index.sources()] == [ARTICLE, "playbook"]


def test_ingest_rejects_empty_folder_and_duplicate_names(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    index = GuidanceIndex(settings, WordEmbeddings())
    with pytest.raises(InputError, match="no .md or .txt files"):
        index.ingest([tmp_path / "empty"])
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "tips.md").write_text("## A\nOne.\n")
    (tmp_path / "tips.txt").write_text("Two.\n")
    with pytest.raises(InputError, match="same name"):
        index.ingest([tmp_path / "a", tmp_path / "tips.txt"])
    with pytest.raises(InputError, match="No guidance files"):
        index.ingest([])
    assert not settings.user_guidance_dir.exists()


def test_ingest_rolls_back_when_the_index_cannot_be_built(settings: Settings, tmp_path: Path) -> None:
    index = GuidanceIndex(settings, WordEmbeddings())
    first = tmp_path / "first.md"
    first.write_text("## First\nKeep this one.\n")
    index.ingest([first])
    second = tmp_path / "second.md"
    second.write_text("## Second\nThis one fails.\n")
    broken = GuidanceIndex(settings, BrokenEmbeddings())
    with pytest.raises(RetrievalError, match="drafter index"):
        broken.ingest([second])
    assert sorted(p.name for p in settings.user_guidance_dir.iterdir()) == ["first.md"]
    assert GuidanceIndex(settings, WordEmbeddings()).ensure_built() is False


# --- the real encoder -----------------------------------------------------------------------


def test_keep_the_door_open_comes_first(real_index: GuidanceIndex) -> None:
    top = real_index.search("I can't think of anything to ask or offer", k=3)
    assert top[0].id.endswith("#keep-the-door-open")
    assert top[0].score > 0.3


@pytest.mark.parametrize("kind", KINDS)
def test_situation_query_finds_the_kind(real_index: GuidanceIndex, kind: str) -> None:
    wanted = WANTED[kind]
    for channel, setting, agenda in (("email", "event", False), ("linkedin", "conference", True)):
        ids = [p.id for p in real_index.search(situation_query(kind, channel, setting, agenda), k=3)]
        assert wanted & set(ids), (kind, channel, ids)


def test_situation_query_wording() -> None:
    query = situation_query("offer", "linkedin", "conference", True)
    assert query == (
        "Offer something simple and relevant to what we discussed. Follow up after meeting at a "
        "conference as a LinkedIn note of at most 300 characters. "
        "My own agenda waits for a later conversation."
    )
    assert "agenda" not in situation_query("ask", "text", "other", False)
    assert len({situation_query(k, "email", "event", False) for k in KINDS}) == 4
    assert [tag for tag, _ in situation_aspects("ask", "text", "chance", True)] == [
        "ask",
        "text",
        "agenda",
        "chance",
    ]
    assert [tag for tag, _ in situation_aspects("ask", "email", "other", False)] == ["ask", "email"]


CHANNEL_PASSAGES = {
    "email": {"playbook#email", "playbook#keep-it-short"},
    "linkedin": {"playbook#linkedin-note"},
    "text": {"playbook#text-message"},
}
SETTING_PASSAGES = {
    "event": "playbook#networking-event",
    "conference": "playbook#conference",
    "informational_interview": "playbook#informational-interview",
    "chance": "playbook#chance-meeting",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", ["email", "linkedin", "text"])
def test_search_situation_covers_every_aspect(real_index: GuidanceIndex, kind: str, channel: str) -> None:
    setting = list(SETTING_PASSAGES)[(KINDS.index(kind) + len(channel)) % 4]
    agenda = kind in ("ask", "offer")
    passages = real_index.search_situation(kind, channel, setting, agenda, k=4)
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids)) == 4
    assert ids[0] in WANTED[kind]  # the next-step kind leads
    assert CHANNEL_PASSAGES[channel] & set(ids)
    assert SETTING_PASSAGES[setting] in ids
    if agenda:
        assert {"playbook#what-counts-as-an-agenda", "playbook#the-agenda-waits"} & set(ids)
    assert len(real_index.search_situation(kind, channel, setting, agenda, k=2)) == 2
