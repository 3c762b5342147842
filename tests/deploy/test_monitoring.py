"""Monitoring content (deploy/monitoring): Prometheus rules, their promtool unit tests, the
Grafana dashboards and their provisioning, and the runbooks in docs/operations.md.

promtool checks and unit-tests the rules; everything else is checked here: every metric a rule
or a dashboard names is one Mimir exports (``mimir.metrics.exported_names()``) or a series a
recording rule defines, every alert is tested firing and silent and links to its runbook, and
every dashboard is well-formed Grafana JSON.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from mimir.metrics import exported_names
from tests.deploy.conftest import REPO, tool

MONITORING = REPO / "deploy" / "monitoring"
RULES_DIR = MONITORING / "prometheus" / "rules"
TESTS_DIR = MONITORING / "prometheus" / "tests"
DASHBOARDS_DIR = MONITORING / "grafana" / "dashboards"
PROVISIONING_DIR = MONITORING / "grafana" / "provisioning"
OPERATIONS = REPO / "docs" / "operations.md"

RULE_FILES = sorted(RULES_DIR.glob("*.yml"))
TEST_FILES = sorted(TESTS_DIR.glob("*.yml"))
DASHBOARD_FILES = sorted(DASHBOARDS_DIR.glob("*.json"))

RUNBOOK_BASE = "https://github.com/mimir-news/mimir/blob/main/docs/operations.md#"
SEVERITIES = {"critical", "warning", "info"}
# Prometheus' own series that rules and dashboards may name besides Mimir's
PROMETHEUS_OWN = {"up"}
# level:metric:operations (the level may be empty: everything aggregated away)
RECORDING_NAME = re.compile(r"^[a-z_]*:[a-z][a-z0-9_]*:[a-z0-9_]+$")

PROMQL_KEYWORDS = {
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "inf",
    "nan",
}


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for path in RULE_FILES:
        for group in _load_yaml(path)["groups"]:
            rules.extend(group["rules"])
    return rules


def _alerts() -> list[dict[str, Any]]:
    return [rule for rule in _rules() if "alert" in rule]


def _recorded() -> set[str]:
    return {rule["record"] for rule in _rules() if "record" in rule}


def _dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in DASHBOARD_FILES}


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every panel, the ones inside (collapsed) rows too."""
    out: list[dict[str, Any]] = []
    for panel in panels:
        out.append(panel)
        out.extend(_panels(panel.get("panels", [])))
    return out


def _dashboard_exprs(dashboard: dict[str, Any]) -> list[str]:
    exprs = [
        target["expr"]
        for panel in _panels(dashboard["panels"])
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("query")
            exprs.append(query["query"] if isinstance(query, dict) else str(query))
    return exprs


def series_names(expr: str) -> set[str]:
    """The metric (series) names a PromQL expression selects: string literals, label matchers,
    range/subquery brackets, grouping label lists and Grafana variables are taken out, and of
    the identifiers left those that are neither functions (followed by ``(``) nor keywords."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    text = re.sub(r"\{[^{}]*\}", " ", text)
    text = re.sub(r"\[[^\[\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.:])([A-Za-z_:][\w:]*)(?!\w)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_KEYWORDS:
            continue
        names.add(name)
    return names


def _check_names(where: str, expr: str, allowed: set[str], recorded: set[str]) -> list[str]:
    problems = []
    names = series_names(expr)
    if not names:
        problems.append(f"{where}: no metric found in {expr!r}")
    for name in sorted(names):
        if ":" in name:
            if name not in recorded:
                problems.append(f"{where}: {name} is not defined by a recording rule")
        elif name not in allowed:
            problems.append(f"{where}: {name} is not a metric Mimir exports")
    return problems


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def _runbook_anchors() -> set[str]:
    """Anchors of the headings inside docs/operations.md's "Runbooks" section."""
    anchors: set[str] = set()
    inside = False
    for line in OPERATIONS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(#{2,6})\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        level, title = len(match.group(1)), match.group(2)
        if level == 2:
            inside = title.strip() == "Runbooks"
        if inside:
            anchors.add(github_anchor(title))
    return anchors


# ---- the files exist ----------------------------------------------------------------------------


def test_the_monitoring_files_exist() -> None:
    assert {p.name for p in RULE_FILES} >= {"alerts.yml", "recording.yml"}
    assert TEST_FILES, "no promtool unit tests in deploy/monitoring/prometheus/tests"
    assert {p.name for p in DASHBOARD_FILES} >= {
        "overview.json",
        "ingest.json",
        "api.json",
        "alerts.json",
    }
    assert (REPO / "scripts" / "tools" / "promtool.sh").is_file()


# ---- promtool -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_promtool_check_rules(path: Path) -> None:
    result = subprocess.run(
        [tool("promtool"), "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    result = subprocess.run(
        [tool("promtool"), "test", "rules", *(str(p) for p in TEST_FILES)],
        capture_output=True,
        text=True,
        cwd=TESTS_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED" not in result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_silent() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for path in TEST_FILES:
        document = _load_yaml(path)
        for case in document.get("tests", []):
            for check in case.get("alert_rule_test", []) or []:
                (firing if check.get("exp_alerts") else silent).add(check["alertname"])
    names = {alert["alert"] for alert in _alerts()}
    assert names - firing == set(), "alerts no unit test makes fire"
    assert names - silent == set(), "alerts no unit test keeps silent"
    assert (firing | silent) - names == set(), "unit tests of alerts that do not exist"


def test_unit_tests_load_every_rule_file() -> None:
    loaded = set()
    for path in TEST_FILES:
        for name in _load_yaml(path)["rule_files"]:
            loaded.add((TESTS_DIR / name).resolve())
    assert loaded == {p.resolve() for p in RULE_FILES}


# ---- rules --------------------------------------------------------------------------------------


def test_recording_rule_names_follow_the_convention() -> None:
    names = [rule["record"] for rule in _rules() if "record" in rule]
    assert names, "no recording rules"
    assert len(names) == len(set(names)), "a series is recorded twice"
    bad = [name for name in names if not RECORDING_NAME.match(name)]
    assert not bad, f"not level:metric:operations: {bad}"
    # the metric part is one of Mimir's (its prefix: never Grafana Mimir's)
    for name in names:
        assert name.split(":")[1].startswith("mimir_news_"), name


def test_rules_name_only_exported_metrics() -> None:
    allowed = exported_names() | PROMETHEUS_OWN
    recorded = _recorded()
    problems = []
    for rule in _rules():
        where = rule.get("record") or rule["alert"]
        problems += _check_names(where, rule["expr"], allowed, recorded)
    assert not problems, "\n".join(problems)


def test_every_alert_has_severity_summary_description_and_runbook() -> None:
    anchors = _runbook_anchors()
    problems = []
    for alert in _alerts():
        name = alert["alert"]
        assert name.startswith("MimirNews"), f"{name}: alert names start with MimirNews"
        if alert.get("labels", {}).get("severity") not in SEVERITIES:
            problems.append(f"{name}: severity must be one of {sorted(SEVERITIES)}")
        annotations = alert.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not str(annotations.get(key, "")).strip():
                problems.append(f"{name}: no {key} annotation")
        url = str(annotations.get("runbook_url", ""))
        if not url.startswith(RUNBOOK_BASE):
            problems.append(f"{name}: runbook_url must start with {RUNBOOK_BASE}")
        elif url[len(RUNBOOK_BASE) :] not in anchors:
            problems.append(
                f"{name}: #{url[len(RUNBOOK_BASE) :]} is no heading of the Runbooks section "
                "of docs/operations.md"
            )
    assert not problems, "\n".join(problems)


def test_every_alert_has_its_own_runbook() -> None:
    anchors = _runbook_anchors()
    for name in {alert["alert"] for alert in _alerts()}:
        assert github_anchor(name) in anchors, f"docs/operations.md: no runbook for {name}"


# ---- dashboards ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.name)
def test_dashboard_is_well_formed(path: Path) -> None:
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    assert dashboard.get("title", "").strip(), "no title"
    assert re.fullmatch(r"[a-z0-9-]{1,40}", dashboard["uid"]), "uid: at most 40 of [a-z0-9-]"
    assert dashboard["schemaVersion"] >= 39
    assert "mimir-news" in dashboard["tags"]
    assert dashboard.get("id") is None, "a provisioned dashboard carries no database id"
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert variables["DS_PROMETHEUS"]["query"] == "prometheus"

    panels = _panels(dashboard["panels"])
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids are not unique"
    assert any(panel["type"] != "row" for panel in panels)
    for panel in panels:
        title = panel.get("title", "")
        assert title.strip(), f"panel {panel['id']} has no title"
        grid = panel["gridPos"]
        assert grid["w"] > 0 and grid["h"] > 0 and grid["x"] + grid["w"] <= 24, title
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, title
        assert panel.get("description", "").strip(), f"{title}: no description"
        defaults = panel["fieldConfig"]["defaults"]
        assert defaults.get("unit"), f"{title}: no unit"
        steps = defaults["thresholds"]["steps"]
        assert steps and steps[0]["value"] is None, f"{title}: thresholds need a base step"
        values = [step["value"] for step in steps[1:]]
        assert values == sorted(values), f"{title}: thresholds out of order"
        targets = panel["targets"]
        assert targets, f"{title}: no query"
        ref_ids = [target["refId"] for target in targets]
        assert len(ref_ids) == len(set(ref_ids)), f"{title}: refIds are not unique"
        for target in targets:
            assert target["datasource"]["uid"] == "${DS_PROMETHEUS}", title
            assert target["expr"].strip(), title


def test_dashboards_are_distinct() -> None:
    dashboards = _dashboards()
    uids = [d["uid"] for d in dashboards.values()]
    titles = [d["title"] for d in dashboards.values()]
    assert len(set(uids)) == len(uids)
    assert len(set(titles)) == len(titles)


def test_dashboards_query_only_exported_metrics_and_recorded_series() -> None:
    allowed = exported_names() | PROMETHEUS_OWN
    recorded = _recorded()
    problems = []
    for name, dashboard in _dashboards().items():
        for expr in _dashboard_exprs(dashboard):
            problems += _check_names(name, expr, allowed, recorded)
    assert not problems, "\n".join(problems)


def test_dashboards_show_what_the_alerts_watch() -> None:
    """Every series an alert reads is on some dashboard, so whoever is paged can see it."""
    shown: set[str] = set()
    for dashboard in _dashboards().values():
        for expr in _dashboard_exprs(dashboard):
            shown |= series_names(expr)
    for alert in _alerts():
        missing = series_names(alert["expr"]) - shown
        assert not missing, f"{alert['alert']} reads {missing}, which no dashboard shows"


def test_series_names_parser() -> None:
    expr = (
        'sum by (job, route) (rate(mimir_news_http_requests_total{status=~"5..", '
        'route="/x"}[5m])) / on (job) group_left (version) job:x:rate5m '
        "and histogram_quantile(0.95, sum by (le) (rate(a_bucket[$__rate_interval]))) "
        "or vector(0) > bool 1 offset 5m"
    )
    assert series_names(expr) == {"mimir_news_http_requests_total", "job:x:rate5m", "a_bucket"}
    assert series_names(":mimir_news_x:rate5m") == {":mimir_news_x:rate5m"}
    assert series_names("up == 0") == {"up"}


# ---- Grafana provisioning -----------------------------------------------------------------------


def test_grafana_provisioning() -> None:
    datasources = _load_yaml(PROVISIONING_DIR / "datasources" / "mimir.yml")
    assert datasources["apiVersion"] == 1
    prometheus = [d for d in datasources["datasources"] if d["type"] == "prometheus"]
    assert len(prometheus) == 1 and prometheus[0]["isDefault"] is True
    assert prometheus[0]["url"].startswith("http")

    providers = _load_yaml(PROVISIONING_DIR / "dashboards" / "mimir.yml")
    assert providers["apiVersion"] == 1
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    assert provider["allowUiUpdates"] is False
    path = provider["options"]["path"]
    assert path.startswith("/")

    # where the Compose stack mounts the dashboards is where the provider reads them
    compose = REPO / "deploy" / "compose" / "compose.yaml"
    if compose.is_file():
        grafana = _load_yaml(compose)["services"]["grafana"]
        mounts = [str(v) for v in grafana.get("volumes", [])]
        assert any(
            m.split(":")[0].rstrip("/").endswith("monitoring/grafana/dashboards")
            and m.split(":")[1].rstrip("/") == path.rstrip("/")
            for m in mounts
        ), f"compose.yaml does not mount the dashboards at {path}: {mounts}"
