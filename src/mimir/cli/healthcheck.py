"""`mimir healthcheck`: exit 0 when this container's Mimir is healthy, 1 when not (for Docker's
HEALTHCHECK and Compose's ``healthcheck``; Kubernetes asks the same endpoints with its probes).

- ``mimir serve`` (default): ``GET /healthz`` on ``MIMIR_HTTP_PORT`` (the process answers), or
  ``/readyz`` with ``--ready`` (database reachable and migrated, Redis when configured).
- ``mimir worker`` (``--worker``, or ``--url http://127.0.0.1:9464/metrics``): ``GET /metrics``
  on ``MIMIR_METRICS_PORT``, which the worker serves while it runs (its HTTP thread starts with
  the worker and stops at its shutdown). A worker alive but making no progress shows in the
  scheduler-lag alert, not here.

Only the standard library is used for the request: the check is quick and never hangs longer
than ``--timeout``. Settings are read from the environment like every command.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request

import click

from mimir.cli.common import state

#: addresses that mean "every interface": the check connects to loopback instead
_ANY = {"", "0.0.0.0", "::", "[::]", "*"}  # noqa: S104 - compared, never bound


def _local(host: str) -> str:
    if host in _ANY:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@click.command()
@click.option(
    "--url",
    default=None,
    help="URL to check: a full URL is asked as it is; one without a path gets /healthz, "
    "/readyz or /metrics (default: http://127.0.0.1:MIMIR_HTTP_PORT, or MIMIR_METRICS_PORT with "
    "--worker).",
)
@click.option("--ready", is_flag=True, help="Check /readyz (dependencies) instead of /healthz.")
@click.option("--worker", is_flag=True, help="Check a `mimir worker`: /metrics on its port.")
@click.option(
    "--timeout",
    "seconds",
    type=click.FloatRange(0.1, 60),
    default=3.0,
    show_default=True,
    help="Seconds to wait for the answer.",
)
@click.pass_context
def healthcheck(
    ctx: click.Context, url: str | None, ready: bool, worker: bool, seconds: float
) -> None:
    """Exit 0 when the server (or, with --worker, the worker) here is healthy, else 1."""
    if ready and worker:
        raise click.UsageError("--ready is for `mimir serve`; a worker is checked with --worker")
    settings = state(ctx).settings()
    if worker:
        if url is None and not settings.metrics_port:
            click.echo(
                "unhealthy: MIMIR_METRICS_PORT is 0 (the worker serves no /metrics to check)",
                err=True,
            )
            sys.exit(1)
        base = url or f"http://{_local(settings.http_host)}:{settings.metrics_port}"
        path = "/metrics"
    else:
        base = url or f"http://{_local(settings.http_host)}:{settings.http_port}"
        path = "/readyz" if ready else "/healthz"
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.UsageError(f"--url must be an http:// or https:// URL, not {base!r}")
    target = base if parts.path not in ("", "/") else base.rstrip("/") + path
    try:
        # the URL is the operator's own (flag or settings), checked to be http(s) above
        with urllib.request.urlopen(target, timeout=seconds) as resp:  # noqa: S310  # nosec B310
            status = resp.status
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        click.echo(f"unhealthy: {target} answered {exc.code}: {detail}", err=True)
        sys.exit(1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        click.echo(f"unhealthy: {target}: {reason}", err=True)
        sys.exit(1)
    if status != 200:
        click.echo(f"unhealthy: {target} answered {status}", err=True)
        sys.exit(1)
    click.echo(f"healthy: {target}")
