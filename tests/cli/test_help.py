"""The published surface: every command documented, listing commands scriptable (`--json`)."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from mimir import __version__
from mimir.cli.main import cli


def walk(
    cmd: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from walk(sub, (*path, name))


COMMANDS = dict(walk(cli))
LISTING = [("sources", "list"), ("articles", "list"), ("refresh",), ("sources", "show"),
           ("articles", "show"), ("search",), ("watches", "list"), ("watches", "test"),
           ("channels", "list"), ("alerts", "list"), ("alerts", "outbox"), ("users", "list"),
           ("keys", "list")]  # fmt: skip


def test_the_tree_is_what_we_document() -> None:
    assert set(COMMANDS) == {
        (), ("init",), ("migrate",), ("run",), ("worker",), ("refresh",), ("fetch",),
        ("sources",), ("sources", "add"), ("sources", "list"), ("sources", "show"),
        ("sources", "enable"), ("sources", "disable"), ("sources", "remove"),
        ("sources", "import"), ("sources", "export"),
        ("articles",), ("articles", "list"), ("articles", "show"), ("articles", "export"),
        ("articles", "delete"), ("search",), ("serve",), ("healthcheck",),
        ("watches",), ("watches", "add"), ("watches", "list"), ("watches", "test"),
        ("watches", "enable"), ("watches", "disable"), ("watches", "remove"),
        ("channels",), ("channels", "add"), ("channels", "list"), ("channels", "test"),
        ("channels", "remove"), ("alerts",), ("alerts", "list"), ("alerts", "outbox"),
        ("users",), ("users", "create-admin"), ("users", "add"), ("users", "list"),
        ("users", "set-password"), ("users", "set-role"), ("users", "disable"),
        ("users", "enable"), ("users", "logout"),
        ("keys",), ("keys", "create"), ("keys", "list"), ("keys", "revoke"),
    }  # fmt: skip


@pytest.mark.parametrize("path", list(COMMANDS), ids=lambda p: " ".join(p) or "mimir")
def test_every_command_has_help_that_names_its_options(path: tuple[str, ...]) -> None:
    cmd = COMMANDS[path]
    assert (cmd.help or "").strip(), f"{path} has no docstring"
    assert cmd.get_short_help_str().strip()
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: cli {' '.join(path)}".rstrip())
    first_line = (cmd.help or "").strip().splitlines()[0]
    assert " ".join(first_line.split()[:4]) in " ".join(result.stdout.split())
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"{path}: {param.opts} has no help text"
            for opt in param.opts + param.secondary_opts:
                assert opt in result.stdout, (path, opt)
    if isinstance(cmd, click.Group):
        for name in cmd.commands:
            assert f"  {name} " in result.stdout


@pytest.mark.parametrize("path", LISTING, ids=" ".join)
def test_listing_commands_accept_json(path: tuple[str, ...]) -> None:
    options = {o for p in COMMANDS[path].params if isinstance(p, click.Option) for o in p.opts}
    assert "--json" in options


def test_short_help_flag_and_version() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["-h"]).stdout == runner.invoke(cli, ["--help"]).stdout
    version = runner.invoke(cli, ["--version"])
    assert version.exit_code == 0 and version.stdout == f"mimir, version {__version__}\n"


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["sources", "frobnicate"])
    assert result.exit_code == 2 and "No such command 'frobnicate'" in result.stderr
