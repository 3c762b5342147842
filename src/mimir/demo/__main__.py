"""``python -m mimir.demo``: run the demo news site alone and print its URL."""

from __future__ import annotations

import argparse
import threading

from mimir.demo.site import DemoSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mimir.demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--interval", type=float, default=5.0, help="seconds between new articles (default 5)"
    )
    parser.add_argument("--initial-items", type=int, default=12)
    args = parser.parse_args(argv)
    site = DemoSite(
        args.host,
        args.port,
        seed=args.seed,
        new_item_every_seconds=args.interval,
        initial_items=args.initial_items,
    )
    url = site.start()
    print(f"Demo news site running at {url}/  (Ctrl+C to stop)")
    for spec in site.source_specs():
        print(f"  {spec.kind.value:8} {spec.url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
