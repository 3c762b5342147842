"""/api/v1 routes: stories (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from mimir.api.v1.common import ERRORS

router = APIRouter(tags=["stories"], responses=ERRORS)
