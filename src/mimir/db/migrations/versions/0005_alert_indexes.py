"""alerts: indexes for a watch's history (watch_id, id) and a story's watches (story_id)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_watch_id", "alerts", ["watch_id", "id"])
    op.create_index("ix_alerts_story", "alerts", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_story", table_name="alerts")
    op.drop_index("ix_alerts_watch_id", table_name="alerts")
