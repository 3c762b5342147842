"""Stories: near-duplicate articles across sources (docs/stories.md), the last seen first, and
one story with its lead and members."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mimir.api.access import VIEWER
from mimir.api.deps import get_db
from mimir.api.v1.articles import ArticleCard, Q, cursor_key, utc
from mimir.api.v1.common import ERRORS, Cursor, Limit, Page, encode_cursor, json_response
from mimir.db.database import Database
from mimir.storage import listing
from mimir.storage.listing import STORY_MEMBERS, StoryFilter

router = APIRouter(tags=["stories"], responses=ERRORS, dependencies=[Depends(VIEWER)])
Db = Annotated[Database, Depends(get_db)]
StoryId = Annotated[int, Path(ge=1, le=2**62, description="The story's id.")]


class StoryCard(BaseModel):
    id: int
    title: str | None = Field(description="The lead article's title.")
    lead_article_id: int
    article_count: int
    source_count: int
    first_seen_at: datetime
    last_seen_at: datetime


class StoryOut(StoryCard):
    lead: ArticleCard | None = Field(description="The lead article (None if it was deleted).")
    members: list[ArticleCard] = Field(
        description=f"The story's articles, oldest first (at most {STORY_MEMBERS}; the rest: "
        "`GET /articles?story_id=`)."
    )
    members_truncated: bool


@router.get(
    "/stories",
    summary="List stories, the last seen first",
    response_model=Page[StoryCard],
)
async def list_stories(
    request: Request,
    db: Db,
    since: Annotated[
        datetime | None, Query(description="Last seen at or after this time (ISO 8601).")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="Last seen before this time (ISO 8601).")
    ] = None,
    min_size: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="At least this many articles.")
    ] = None,
    q: Q = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """`q` is the query language over the lead article: words without a field are looked for
    in its title (`q=NextGen TV` means `title:(NextGen TV)`)."""
    flt = StoryFilter(
        since=utc("since", since),
        until=utc("until", until),
        min_size=min_size,
        query=listing.parse_query(q) if q is not None else None,
    )
    key = cursor_key(cursor, [datetime, int])
    rows, last = await db.read(
        listing.list_stories,
        flt,
        now=datetime.now(UTC),
        limit=limit,
        after=(key[0], key[1]) if key else None,
    )
    return json_response(
        request, {"items": rows, "next_cursor": encode_cursor(last) if last else None}
    )


@router.get(
    "/stories/{story_id}",
    summary="Get a story with its lead article and its members",
    response_model=StoryOut,
)
async def get_story(request: Request, story_id: StoryId, db: Db) -> Response:
    return json_response(request, await db.read(listing.get_story, story_id))
