"""HTTP client throughput for polling: httpx vs aiohttp, side by side, on 304 answers.

Why Mimir's fetcher is built on aiohttp: a worker spends its day asking feeds "anything new?"
and getting 304s. Both clients get the same corpus (bench/corpus.py), the same keep-alive
connections, the same concurrency.

    .venv/bin/python -m bench.http_clients [--requests 6000] [--hosts 250]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx

from bench.corpus import BenchCorpus


async def _run(n: int, conc: int, one: Callable[[int], Awaitable[int]]) -> float:
    sem = asyncio.Semaphore(conc)

    async def bounded(i: int) -> int:
        async with sem:
            return await one(i)

    t0 = time.perf_counter()
    statuses = await asyncio.gather(*[bounded(i) for i in range(n)])
    wall = time.perf_counter() - t0
    assert set(statuses) == {304}, set(statuses)
    return n / wall


async def with_httpx(urls: list[str], etags: dict[str, str], n: int, conc: int) -> float:
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def one(i: int) -> int:
            u = urls[i % len(urls)]
            r = await client.get(f"{u}?v={i}", headers={"If-None-Match": etags[u]})
            return r.status_code

        return await _run(n, conc, one)


async def with_aiohttp(urls: list[str], etags: dict[str, str], n: int, conc: int) -> float:
    connector = aiohttp.TCPConnector(limit=conc)
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:

        async def one(i: int) -> int:
            u = urls[i % len(urls)]
            async with session.get(f"{u}?v={i}", headers={"If-None-Match": etags[u]}) as r:
                await r.read()
                return r.status

        return await _run(n, conc, one)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=6000)
    ap.add_argument("--hosts", type=int, default=250)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    with BenchCorpus(feeds=args.hosts, items=2, hosts=args.hosts) as corpus:
        urls = corpus.feed_urls()
        with httpx.Client(trust_env=False) as c:
            etags = {u: c.get(u).headers["etag"] for u in urls}
        for name, fn in (("httpx", with_httpx), ("aiohttp", with_aiohttp)):
            rate = asyncio.run(fn(urls, etags, args.requests, args.concurrency))
            print(
                f"{name:8} {rate:8.0f} requests/s ({args.requests} x 304, "
                f"{args.hosts} hosts, concurrency {args.concurrency})",
                flush=True,
            )


if __name__ == "__main__":
    main()
