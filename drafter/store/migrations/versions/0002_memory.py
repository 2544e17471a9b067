"""The contact memory: people, conversations, drafts, ledger items, rhythms and touches.

Revision ID: 0002_memory
Revises: 0001_jobs
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002_memory"
down_revision = "0001_jobs"
branch_labels = None
depends_on = None


def _now() -> sa.Column[Any]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _person(nullable: bool = False, unique: bool = False) -> sa.Column[Any]:
    return sa.Column(
        "person_id",
        sa.Integer,
        sa.ForeignKey("people.id", ondelete="CASCADE"),
        nullable=nullable,
        unique=unique,
    )


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("given", sa.String(255), nullable=False),
        sa.Column("family", sa.String(255), nullable=False),
        sa.Column("greet", sa.String(255), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("company", sa.String(255), nullable=False),
        sa.Column("position", sa.String(255), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("connected_on", sa.Date, nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        _now(),
    )
    op.create_index("ix_people_email", "people", ["email"])
    op.create_index("ix_people_name", "people", ["name"])
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _person(),
        sa.Column("happened_on", sa.Date, nullable=False),
        sa.Column("where", sa.String(255), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        _now(),
    )
    op.create_index("ix_conversations_person_id", "conversations", ["person_id"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _person(),
        sa.Column(
            "conversation_id",
            sa.Integer,
            sa.ForeignKey("conversations.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("next_step_type", sa.String(32), nullable=False),
        sa.Column("next_step", sa.Text, nullable=False),
        sa.Column("follow_up_when", sa.String(120), nullable=False),
        sa.Column("follow_up_date", sa.Date, nullable=True),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("in_reply_to", sa.String(255), nullable=False),
        _now(),
        sa.Column("sent_on", sa.Date, nullable=True),
        sa.Column("replied_on", sa.Date, nullable=True),
        sa.Column("nudged_on", sa.Date, nullable=True),
        sa.CheckConstraint("status IN ('approved', 'sent', 'discarded')", name="ck_drafts_status"),
        sa.CheckConstraint("kind IN ('first', 'deliver', 'nudge')", name="ck_drafts_kind"),
    )
    op.create_index("ix_drafts_person_id", "drafts", ["person_id"])
    op.create_index("ix_drafts_status_sent", "drafts", ["status", "sent_on"])
    op.create_table(
        "ledger_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _person(),
        sa.Column(
            "conversation_id",
            sa.Integer,
            sa.ForeignKey("conversations.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True),
        sa.Column(
            "delivery_draft_id", sa.Integer, sa.ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("owner", sa.String(8), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_on", sa.Date, nullable=True),
        _now(),
        sa.CheckConstraint("owner IN ('me', 'them', 'both')", name="ck_ledger_items_owner"),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'deferred', 'dropped')", name="ck_ledger_items_status"
        ),
    )
    op.create_index("ix_ledger_items_person_id", "ledger_items", ["person_id"])
    op.create_index("ix_ledger_items_status_due", "ledger_items", ["status", "due_on"])
    op.create_table(
        "rhythms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _person(nullable=True, unique=True),
        sa.Column("tag", sa.String(120), nullable=True, unique=True),
        sa.Column("ideal_days", sa.Integer, nullable=False),
        sa.Column("max_days", sa.Integer, nullable=False),
        sa.CheckConstraint("(person_id IS NULL) <> (tag IS NULL)", name="ck_rhythms_person_or_tag"),
        sa.CheckConstraint("ideal_days >= 1 AND max_days >= ideal_days", name="ck_rhythms_gaps"),
    )
    op.create_table(
        "touches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _person(),
        sa.Column("happened_on", sa.Date, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("drafts.id", ondelete="SET NULL"), nullable=True),
        _now(),
    )
    op.create_index("ix_touches_person_day", "touches", ["person_id", "happened_on"])


def downgrade() -> None:
    op.drop_index("ix_touches_person_day", table_name="touches")
    op.drop_table("touches")
    op.drop_table("rhythms")
    op.drop_index("ix_ledger_items_status_due", table_name="ledger_items")
    op.drop_index("ix_ledger_items_person_id", table_name="ledger_items")
    op.drop_table("ledger_items")
    op.drop_index("ix_drafts_status_sent", table_name="drafts")
    op.drop_index("ix_drafts_person_id", table_name="drafts")
    op.drop_table("drafts")
    op.drop_index("ix_conversations_person_id", table_name="conversations")
    op.drop_table("conversations")
    op.drop_index("ix_people_name", table_name="people")
    op.drop_index("ix_people_email", table_name="people")
    op.drop_table("people")
