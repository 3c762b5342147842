"""bench/search.py keeps working: its smoke run builds a small corpus and finds every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.search import main


def test_the_search_benchmark_smoke_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "search.json"
    main(["--smoke", "--db", f"sqlite:///{tmp_path / 'bench.db'}", "--json", str(out)])
    printed = capsys.readouterr().out
    assert "newest / two words" in printed and "relevance / NOT + date" in printed
    assert '"articles": 3000' in out.read_text()
