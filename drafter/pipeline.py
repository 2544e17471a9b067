"""The drafting pipeline: notes -> reading -> plan -> guidance -> draft -> checks.

`Drafter` holds one configured backend and the guidance index; it is safe to share between
threads (a batch drafts rows concurrently through one Drafter).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from . import llm, prompts
from .config import Settings
from .drafting import DraftStats, write_draft
from .models import Contact, Draft, DraftRequest, Passage, Plan, Reading
from .reader import read_notes
from .reader.plan import make_plan

logger = logging.getLogger(__name__)

GUIDANCE_K = 3


class Drafter:
    """Drafts follow-ups with one backend and one guidance index."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        chat_model: BaseChatModel | None = None,
        index: Any = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self._chat_model = chat_model
        self._index = index
        self._lock = threading.Lock()
        self.backend_name, self.model_name = llm.describe_backend(self.settings)
        self.stats = DraftStats()

    @property
    def chat_model(self) -> BaseChatModel:
        with self._lock:
            if self._chat_model is None:
                self._chat_model = llm.build_chat_model(self.settings, warm=prompts.system_prompt())
            return self._chat_model

    @property
    def index(self) -> Any:
        with self._lock:
            if self._index is None:
                from .retrieval import get_index

                self._index = get_index(self.settings)
                self._index.ensure_built()
            return self._index

    def warm_up(self) -> None:
        """Build the index and start the model now rather than on the first draft."""
        started = time.perf_counter()
        _ = self.index
        _ = self.chat_model
        logger.info("warm-up done in %.1f s", time.perf_counter() - started)

    def read(self, request: DraftRequest) -> Reading:
        return read_notes(request.notes, request.contact.name)

    def plan(self, request: DraftRequest, reading: Reading | None = None) -> Plan:
        return make_plan(request, reading or self.read(request))

    def situation_key(self, request: DraftRequest) -> tuple[str, str, str, bool]:
        """What the guidance for a draft depends on; drafts with equal keys share a prompt prefix."""
        plan = self.plan(request)
        return (plan.next_step_type, request.channel, plan.setting, plan.agenda_present)

    def guidance(self, plan: Plan, request: DraftRequest) -> list[Passage]:
        # One passage per aspect of the situation: the next-step kind, the channel, the agenda.
        return list(
            self.index.search_situation(
                plan.next_step_type, request.channel, plan.setting, plan.agenda_present, k=GUIDANCE_K
            )
        )

    def draft(self, request: DraftRequest, *, plan: Plan | None = None) -> Draft:
        started = time.perf_counter()
        if not request.sender:
            request = request.model_copy(update={"sender": self.settings.sender_name})
        plan = plan or self.plan(request)
        passages = self.guidance(plan, request)
        draft = write_draft(
            self.chat_model, request, plan, passages, attempts=self.settings.attempts, stats=self.stats
        )
        seconds = time.perf_counter() - started
        logger.info(
            "draft done: channel %s, %d warnings, %.1f s", request.channel, len(draft.warnings), seconds
        )
        return draft.model_copy(
            update={"backend": self.backend_name, "model": self.model_name, "seconds": seconds}
        )


def draft_follow_up(
    contact: Contact | str,
    notes: str,
    channel: str = "email",
    next_step_hint: str | None = None,
    sender: str = "",
    *,
    drafter: Drafter | None = None,
) -> Draft:
    """Draft one follow-up: the simplest entry point."""
    if isinstance(contact, str):
        contact = Contact(name=contact)
    request = DraftRequest(
        contact=contact,
        notes=notes,
        channel=channel,  # type: ignore[arg-type]
        next_step_hint=next_step_hint or None,  # type: ignore[arg-type]
        sender=sender,
    )
    return (drafter or Drafter()).draft(request)
