"""Follow-up Drafter: turn notes about a conversation into a follow-up worth sending."""

from __future__ import annotations

__version__ = "0.1.0"
