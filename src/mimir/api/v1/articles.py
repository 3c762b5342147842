"""/api/v1 routes: articles (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from mimir.api.v1.common import ERRORS

router = APIRouter(tags=["articles"], responses=ERRORS)
