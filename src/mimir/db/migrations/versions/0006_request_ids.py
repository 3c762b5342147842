"""request ids: the API request that caused a source's refresh, an article job, a notification

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("refresh_request_id", sa.String(128), nullable=True))
    with op.batch_alter_table("article_jobs") as batch:
        batch.add_column(sa.Column("request_id", sa.String(128), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("request_id", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("request_id")
    with op.batch_alter_table("article_jobs") as batch:
        batch.drop_column("request_id")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("refresh_request_id")
