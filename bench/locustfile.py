"""Locust users for ``bench/api_load.py`` (it sets the environment; run that, not this).

MIMIR_BENCH_PHASE picks what every user does, as fast as the server answers unless said:

- ``trivial``: ``GET /healthz`` (the framework's ceiling: routing, middleware, JSON, no database);
- ``list``: the first page of ``GET /api/v1/articles`` (50 cards, newest first);
- ``deep``: a page of the same list far down (a cursor from MIMIR_BENCH_CURSORS);
- ``search``: ``GET /api/v1/articles?q=...`` (a query from MIMIR_BENCH_QUERIES), each user
  waiting 1-3 s between searches, as a person reading the results does;
- ``soak``: a mix (first pages, deep pages, searches, one article) with 1-3 s waits.
"""

from __future__ import annotations

import json
import os
import random
from urllib.parse import quote

from locust import FastHttpUser, between, constant, task

PHASE = os.environ.get("MIMIR_BENCH_PHASE", "trivial")
KEY = os.environ.get("MIMIR_BENCH_KEY", "")
CURSORS: list[str] = json.loads(os.environ.get("MIMIR_BENCH_CURSORS", "[]"))
QUERIES: list[str] = json.loads(os.environ.get("MIMIR_BENCH_QUERIES", "[]"))
ARTICLES: list[int] = json.loads(os.environ.get("MIMIR_BENCH_ARTICLES", "[]"))
AUTH = {"Authorization": f"Bearer {KEY}"}


class Analyst(FastHttpUser):
    wait_time = between(1, 3) if PHASE in ("search", "soak") else constant(0)

    def first_page(self) -> None:
        self.client.get("/api/v1/articles?limit=50", headers=AUTH, name="list: first page")

    def deep_page(self) -> None:
        cursor = quote(random.choice(CURSORS))
        self.client.get(
            f"/api/v1/articles?limit=50&cursor={cursor}", headers=AUTH, name="list: deep page"
        )

    def search(self) -> None:
        q = quote(random.choice(QUERIES))
        self.client.get(f"/api/v1/articles?q={q}&limit=20", headers=AUTH, name="search")

    def article(self) -> None:
        self.client.get(f"/api/v1/articles/{random.choice(ARTICLES)}", headers=AUTH, name="article")

    @task
    def work(self) -> None:
        if PHASE == "trivial":
            self.client.get("/healthz", name="trivial: /healthz")
        elif PHASE == "list":
            self.first_page()
        elif PHASE == "deep":
            self.deep_page()
        elif PHASE == "search":
            self.search()
        else:
            random.choices(
                [self.first_page, self.deep_page, self.search, self.article],
                weights=[4, 2, 3, 1],
            )[0]()
