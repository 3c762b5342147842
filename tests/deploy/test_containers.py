"""The container image (deploy/docker/Dockerfile, .dockerignore) and the Compose stack
(deploy/compose/): hadolint, the Compose Specification's JSON schema, promtool, and the
semantic checks a schema cannot make (targets exist, files exist, settings are real)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import jsonschema
import yaml

from mimir.cli.main import cli
from mimir.config import Settings, load_settings
from tests.deploy.conftest import REPO, tool

DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE_DIR = REPO / "deploy" / "compose"
COMPOSE = COMPOSE_DIR / "compose.yaml"
PROMETHEUS = COMPOSE_DIR / "prometheus.yml"
GRAFANA_PROVISIONING = REPO / "deploy" / "monitoring" / "grafana" / "provisioning"
SCHEMAS = REPO / "tests" / "deploy" / "schemas"
COMPOSE_SCHEMA_SHA256 = "d549057ebc2925f39f62799eab0db7b9e2c18b35b6c00595199116da3ed10e64"
IMAGE_REPO = "ghcr.io/mimir-news/mimir"
MIMIR_SERVICES = ("migrate", "api", "worker")


# --- the Dockerfile ------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, rest = full.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, args in dockerfile_instructions():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, args))
    return result


def test_hadolint_passes() -> None:
    hadolint = tool("hadolint")
    proc = subprocess.run(
        [hadolint, "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_hadolint_ignore_is_justified() -> None:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "hadolint ignore" in line:
            before = lines[i - 1].strip() if i else ""
            assert before.startswith("#") and "hadolint" not in before, (
                f"line {i + 1}: a hadolint ignore needs a comment above it saying why"
            )


def test_multi_stage_builder_wheels_and_slim_pinned_runtime() -> None:
    all_stages = stages()
    assert len(all_stages) >= 2, "a builder stage and a runtime stage"
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim-bookworm$", text, re.M)
    builder, runtime = all_stages[0], all_stages[-1]
    assert builder[0][1] == "${PYTHON_IMAGE} AS builder"
    assert runtime[0][1] == "${PYTHON_IMAGE} AS runtime"
    assert any(k == "RUN" and "pip wheel --wheel-dir /wheels ." in a for k, a in builder)
    install = [a for k, a in runtime if k == "RUN" and "pip install" in a]
    assert install and all("--no-index" in a for a in install), "runtime installs wheels only"
    assert "from=builder" in install[0]
    assert ":latest" not in text


def test_runtime_is_non_root_read_only_friendly_and_has_no_secrets() -> None:
    runtime = stages()[-1]
    users = [a for k, a in runtime if k == "USER"]
    assert users == ["10001:10001"]
    # nothing after USER writes into the image; the code is root's
    after_user = runtime[[k for k, _ in runtime].index("USER") :]
    assert not [a for k, a in after_user if k in ("RUN", "COPY", "ADD")]
    env = " ".join(a for k, a in runtime if k == "ENV")
    for needed in (
        "PYTHONDONTWRITEBYTECODE=1",
        "TMPDIR=/tmp",
        "XDG_CACHE_HOME=/tmp/.cache",
        "MIMIR_HTTP_HOST=0.0.0.0",
        "MIMIR_HTTP_PORT=8080",
        "MIMIR_METRICS_PORT=9464",
        "MIMIR_LOG_FORMAT=json",
    ):
        assert needed in env
    # every MIMIR_* set in the image is a real setting
    for name in re.findall(r"\bMIMIR_([A-Z_]+)=", env):
        if name != "DATA_DIR":  # read by default_database_url(), not a field
            assert name.lower() in Settings.model_fields, f"MIMIR_{name} is no setting"
    # PROMETHEUS_MULTIPROC_DIR is not fixed: `serve --workers N` makes a fresh one under TMPDIR
    assert "PROMETHEUS_MULTIPROC_DIR" not in env
    for keyword, args in dockerfile_instructions():
        if keyword in ("ENV", "ARG"):
            assert not re.search(r"(PASSWORD|SECRET|TOKEN|API_KEY|DATABASE_URL)\w*=", args), args


def test_entrypoint_roles_healthcheck_ports_and_labels() -> None:
    runtime = dict(stages()[-1][1:])  # the last value of each instruction is enough here
    assert json.loads(runtime["ENTRYPOINT"]) == ["mimir"]
    assert json.loads(runtime["CMD"]) == ["serve"]
    health = runtime["HEALTHCHECK"]
    assert health.endswith('CMD ["mimir", "healthcheck"]')
    assert "--interval=" in health and "--timeout=" in health and "--start-period=" in health
    assert runtime["EXPOSE"].split() == ["8080", "9464"]
    labels = " ".join(a for k, a in stages()[-1] if k == "LABEL")
    for key in (
        "title",
        "description",
        "url",
        "source",
        "documentation",
        "licenses",
        "version",
        "revision",
        "created",
        "vendor",
    ):
        assert f"org.opencontainers.image.{key}=" in labels, key
    assert 'org.opencontainers.image.licenses="AGPL-3.0-or-later"' in labels


def test_the_roles_and_the_healthcheck_are_real_commands() -> None:
    assert isinstance(cli, click.Group)
    for role in ("serve", "worker", "migrate", "healthcheck"):
        assert role in cli.commands, f"`mimir {role}` is used by the image and Compose"
    serve_opts = {o for p in cli.commands["serve"].params for o in getattr(p, "opts", [])}
    assert "--workers" in serve_opts
    health_opts = {o for p in cli.commands["healthcheck"].params for o in getattr(p, "opts", [])}
    assert {"--url", "--ready", "--worker"} <= health_opts


def test_dockerignore_is_an_allow_list_covering_what_the_builder_copies() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "everything is excluded first"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied: set[str] = set()
    for keyword, args in stages()[0]:
        if keyword == "COPY" and "--from" not in args:
            copied.update(args.split()[:-1])
    assert copied, "the builder copies the sources"
    assert copied <= allowed, f"copied but excluded from the context: {copied - allowed}"
    for source in copied:
        assert (REPO / source).exists(), source
    # nothing secret or bulky is re-included
    for never in ("deploy", "tests", ".venv", ".git", ".env", "secrets"):
        assert not any(a == never or a.startswith(never + "/") for a in allowed), never


# --- Compose ---------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def services() -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose()["services"]
    return result


def test_vendored_compose_schema_is_the_recorded_one() -> None:
    digest = hashlib.sha256((SCHEMAS / "compose-spec.json").read_bytes()).hexdigest()
    assert digest == COMPOSE_SCHEMA_SHA256, "update tests/deploy/schemas/README.md with it"
    assert (SCHEMAS / "LICENSE.compose-spec").is_file()
    assert COMPOSE_SCHEMA_SHA256 in (SCHEMAS / "README.md").read_text(encoding="utf-8")


def test_compose_validates_against_the_compose_specification() -> None:
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    errors = sorted(
        validator_cls(schema).iter_errors(compose()), key=lambda e: list(e.absolute_path)
    )
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )


def test_compose_validates_with_check_jsonschema() -> None:
    check = tool("check-jsonschema")
    proc = subprocess.run(
        [check, "--schemafile", str(SCHEMAS / "compose-spec.json"), str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_stack_has_every_part() -> None:
    assert set(services()) == {
        "postgres",
        "redis",
        "migrate",
        "api",
        "worker",
        "prometheus",
        "grafana",
        "jaeger",
        "mailpit",
    }


def test_images_are_pinned_never_latest() -> None:
    for name, svc in services().items():
        image = svc["image"]
        ref, _, tag = image.rpartition(":")
        assert ref and tag and "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned"
    for name in MIMIR_SERVICES:
        assert services()[name]["image"].startswith(IMAGE_REPO + ":"), name
        assert services()[name]["build"]["dockerfile"] == "deploy/docker/Dockerfile"
    assert services()["postgres"]["image"].startswith("postgres:15.")
    assert services()["redis"]["image"].startswith("redis:7.")


def test_depends_on_targets_exist_with_the_right_conditions() -> None:
    svcs = services()
    for name, svc in svcs.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions"
        for target, spec in deps.items():
            assert target in svcs, f"{name} depends on unknown {target}"
            assert target != name
            condition = spec["condition"]
            if condition == "service_healthy":
                hc = svcs[target].get("healthcheck", {})
                assert hc.get("test") and not hc.get("disable"), (
                    f"{name} waits for {target} to be healthy: it needs a health check"
                )
            if target == "migrate":
                assert condition == "service_completed_successfully", name
    for name in ("api", "worker"):
        assert svcs[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert svcs[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert svcs[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert svcs["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert svcs["migrate"]["restart"] == "no"


def test_health_checks() -> None:
    svcs = services()
    for name in ("postgres", "redis", "api", "worker", "prometheus", "grafana"):
        test = svcs[name]["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL"), name
    assert svcs["api"]["healthcheck"]["test"] == ["CMD", "mimir", "healthcheck", "--ready"]
    # the worker serves no HTTP API: its /metrics on MIMIR_METRICS_PORT is what answers
    assert svcs["worker"]["healthcheck"]["test"] == ["CMD", "mimir", "healthcheck", "--worker"]


def test_mimir_roles_commands_and_hardening() -> None:
    svcs = services()
    assert svcs["migrate"]["command"] == ["migrate"]
    assert svcs["api"]["command"] == ["serve", "--workers", "2"]
    assert svcs["worker"]["command"] == ["worker"]
    for name in MIMIR_SERVICES:
        svc = svcs[name]
        assert svc["user"] == "10001:10001"
        assert svc["read_only"] is True
        assert any(t.split(":")[0] == "/tmp" for t in svc["tmpfs"])
        assert svc["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in svc["security_opt"]
    # scalable: no fixed container name, no host port
    assert "container_name" not in svcs["worker"]
    assert "ports" not in svcs["worker"]
    for name, svc in svcs.items():
        assert "container_name" not in svc, name
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    assert svcs["api"]["ports"] == ["127.0.0.1:8080:8080"]


def test_mimir_environment_names_real_settings() -> None:
    svcs = services()
    for name in MIMIR_SERVICES:
        env = svcs[name]["environment"]
        for key in env:
            assert key.startswith("MIMIR_"), key
            field = key.removeprefix("MIMIR_").removesuffix("_FILE").lower()
            assert field in Settings.model_fields, f"{name}: {key} is no setting"
        assert env["MIMIR_DATABASE_URL_FILE"] == "/run/secrets/database_url"
        assert "MIMIR_DATABASE_URL" not in env, "the URL holds a password: from a file only"
        assert env["MIMIR_OTEL_ENDPOINT"] == "http://jaeger:4318"
        assert env["MIMIR_REDIS_URL"] == "redis://redis:6379/0"
        assert "database_url" in svcs[name]["secrets"]
    # the mail catcher is on the private network the notifier is allowed to reach
    subnet = ipaddress.ip_network(compose()["networks"]["backend"]["ipam"]["config"][0]["subnet"])
    allowed = svcs["worker"]["environment"]["MIMIR_NOTIFY_ALLOWED_NETWORKS"]
    assert subnet.subnet_of(ipaddress.ip_network(allowed))  # type: ignore[arg-type]
    assert svcs["api"]["environment"]["MIMIR_HTTP_PORT"] == "8080"
    assert svcs["worker"]["environment"]["MIMIR_METRICS_PORT"] == "9464"


def test_volumes_secrets_and_networks_are_declared() -> None:
    top = compose()
    for name, svc in services().items():
        for volume in svc.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE_DIR / source).resolve().exists(), f"{name}: {source} is missing"
            else:
                assert source in top["volumes"], f"{name}: volume {source} is not declared"
        for secret in svc.get("secrets", []):
            assert secret in top["secrets"], f"{name}: secret {secret} is not declared"
        for network in svc.get("networks", []):
            assert network in top["networks"]
        build = svc.get("build")
        if build:
            context = (COMPOSE_DIR / build["context"]).resolve()
            assert context == REPO
            assert (context / build["dockerfile"]).is_file()
    for volume in ("postgres-data", "redis-data", "prometheus-data", "grafana-data"):
        assert volume in top["volumes"]


def test_secrets_come_from_ignored_files_the_script_creates(tmp_path: Path) -> None:
    declared = {name: spec["file"] for name, spec in compose()["secrets"].items()}
    assert set(declared) == {"database_url", "postgres_password", "grafana_admin_password"}
    readme = (COMPOSE_DIR / "secrets" / "README.md").read_text(encoding="utf-8")
    ignore = (COMPOSE_DIR / "secrets" / ".gitignore").read_text(encoding="utf-8").split()
    assert ignore[ignore.index("*") :] == ["*", "!.gitignore", "!README.md"]
    for path in declared.values():
        assert path.startswith("./secrets/")
        assert Path(path).name in readme
    tracked = subprocess.run(
        ["git", "ls-files", "deploy/compose/secrets"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(tracked) in (
        [],
        ["deploy/compose/secrets/.gitignore", "deploy/compose/secrets/README.md"],
    )

    # the script creates every declared file, keeps them on a second run
    work = tmp_path / "compose"
    work.mkdir()
    shutil.copy(COMPOSE_DIR / "make-secrets.sh", work / "make-secrets.sh")
    subprocess.run(["bash", str(work / "make-secrets.sh")], check=True, capture_output=True)
    first = {p.name: p.read_text() for p in (work / "secrets").iterdir()}
    subprocess.run(["bash", str(work / "make-secrets.sh")], check=True, capture_output=True)
    assert first == {p.name: p.read_text() for p in (work / "secrets").iterdir()}
    assert {Path(p).name for p in declared.values()} == set(first)
    assert (work / "secrets").stat().st_mode & 0o777 == 0o700
    password = first["postgres_password.txt"]
    assert re.fullmatch(r"[0-9a-f]{48}", password)
    assert first["database_url.txt"] == f"postgresql+psycopg://mimir:{password}@postgres:5432/mimir"

    # Mimir reads it the way the containers do: MIMIR_DATABASE_URL_FILE
    env = {"MIMIR_DATABASE_URL_FILE": str(work / "secrets" / "database_url.txt")}
    old = {k: os.environ.pop(k, None) for k in ("MIMIR_DATABASE_URL", "MIMIR_DATABASE_URL_FILE")}
    try:
        os.environ.update(env)
        assert load_settings().database_url == first["database_url.txt"]
    finally:
        for key, value in old.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


# --- Prometheus and Grafana of the stack ------------------------------------------------------


def mount(service: str, target: str) -> Path:
    volume: str
    for volume in services()[service]["volumes"]:
        source, dest = volume.split(":")[:2]
        if dest == target:
            return (COMPOSE_DIR / source).resolve()
    raise AssertionError(f"{service} mounts nothing at {target}")


def test_prometheus_loads_the_projects_rules_and_scrapes_every_part() -> None:
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    assert mount("prometheus", "/etc/prometheus/prometheus.yml") == PROMETHEUS
    rules_dir = mount("prometheus", "/etc/prometheus/rules")
    assert rules_dir == REPO / "deploy" / "monitoring" / "prometheus" / "rules"
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    assert sorted(rules_dir.glob("*.yml")), "the project's rules are in deploy/monitoring"
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["mimir-api"]["static_configs"][0]["targets"] == ["api:8080"]
    worker_sd = jobs["mimir-worker"]["dns_sd_configs"][0]
    assert worker_sd["names"] == ["worker"] and worker_sd["port"] == 9464


def test_promtool_accepts_the_config_with_the_real_rules(tmp_path: Path) -> None:
    promtool = tool("promtool")
    rules_dir = mount("prometheus", "/etc/prometheus/rules")
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    config["rule_files"] = [str(rules_dir / "*.yml")]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    proc = subprocess.run(
        [promtool, "check", "config", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout + proc.stderr


def test_grafana_provisions_the_projects_dashboards() -> None:
    dashboards_dir = mount("grafana", "/var/lib/grafana/dashboards/mimir")
    assert dashboards_dir == REPO / "deploy" / "monitoring" / "grafana" / "dashboards"
    assert mount("grafana", "/etc/grafana/provisioning") == GRAFANA_PROVISIONING
    provider = yaml.safe_load((GRAFANA_PROVISIONING / "dashboards" / "mimir.yml").read_text())
    assert provider["apiVersion"] == 1
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards/mimir"
    sources = yaml.safe_load((GRAFANA_PROVISIONING / "datasources" / "mimir.yml").read_text())[
        "datasources"
    ]
    by_uid = {ds["uid"]: ds for ds in sources}
    assert by_uid["prometheus"]["url"] == "http://prometheus:9090"
    assert by_uid["jaeger"]["url"] == "http://jaeger:16686"
    dashboards = sorted(dashboards_dir.glob("*.json"))
    assert dashboards, "the project's dashboards are in deploy/monitoring"

    # every data source a dashboard names by uid is provisioned (variables are resolved later)
    def uids(node: Any) -> list[str]:
        found: list[str] = []
        if isinstance(node, dict):
            ds = node.get("datasource")
            if isinstance(ds, dict) and isinstance(ds.get("uid"), str):
                found.append(ds["uid"])
            for value in node.values():
                found += uids(value)
        elif isinstance(node, list):
            for value in node:
                found += uids(value)
        return found

    for path in dashboards:
        for uid in uids(json.loads(path.read_text(encoding="utf-8"))):
            if uid.startswith("$") or uid.startswith("-- ") or uid == "grafana":
                continue
            assert uid in by_uid, f"{path.name} names data source {uid!r}, not provisioned"


def test_compose_yaml_style() -> None:
    yamllint = tool("yamllint")
    proc = subprocess.run(
        [yamllint, "--strict", "-c", str(REPO / ".yamllint"), str(COMPOSE_DIR)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
