"""DraftParts -> text, once, per channel.

An email has a greeting line, one paragraph (the recall, then the next step) and a sign-off
with the sender's name. A LinkedIn note or a text is one short paragraph that ends with the
sender's name.
"""

from __future__ import annotations

from .channels import CHANNEL
from .models import DraftParts

__all__ = ["render"]


def render(parts: DraftParts, channel: str) -> tuple[str, str]:
    """(subject, body) of the message; the subject is empty where the channel has none."""
    spec = CHANNEL[channel]
    middle = " ".join(s for s in parts.sentences if s)
    if spec.subject:
        signoff = f"\n\n{spec.signoff}\n{parts.sender}" if parts.sender else f"\n\n{spec.signoff}"
        return parts.subject, f"Hi {parts.greeting},\n\n{middle}{signoff}".rstrip()
    body = f"Hi {parts.greeting}, {middle}".rstrip()
    if parts.sender:
        body += f" - {parts.sender}"
    return "", body
