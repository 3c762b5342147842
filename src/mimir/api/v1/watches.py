"""/api/v1 routes: watches (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from mimir.api.v1.common import ERRORS

router = APIRouter(tags=["watches"], responses=ERRORS)
