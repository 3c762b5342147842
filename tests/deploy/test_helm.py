"""The mimir-news Helm chart: `helm lint --strict`, `helm template` with the default values
and with each environment's values (deploy/helm/environments), every object validated like the
Kustomize render (Kubernetes schemas in strict mode, the custom resources against our small
schemas, the same production checks), values.schema.json enforced, and the chart producing
the same kinds of objects as the matching Kustomize overlay."""

from __future__ import annotations

import copy
import functools
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.deploy import k8s_common as k
from tests.deploy.conftest import tool
from tests.deploy.test_kubernetes import check_analysis

ENVIRONMENTS = {name: k.HELM_ENVIRONMENTS / f"{name}.yaml" for name in k.OVERLAYS}
SCHEMA = json.loads((k.CHART / "values.schema.json").read_text())


@functools.cache
def _template(values: Path | None, namespace: str, sets: tuple[str, ...] = ()) -> tuple[k.Obj, ...]:
    return tuple(
        k.helm_template(tool("helm"), [values] if values else [], namespace=namespace, sets=sets)
    )


def template(env: str | None = None, sets: tuple[str, ...] = ()) -> list[k.Obj]:
    values = ENVIRONMENTS[env] if env else None
    namespace = f"mimir-{env}" if env else "mimir"
    return copy.deepcopy(list(_template(values, namespace, sets)))


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("helm"), *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("env", [None, *k.OVERLAYS])
def test_lint_strict(env: str | None) -> None:
    extra = ["--values", str(ENVIRONMENTS[env])] if env else []
    proc = helm("lint", "--strict", str(k.CHART), *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 chart(s) failed" in proc.stdout


@pytest.mark.parametrize("env", [None, *k.OVERLAYS])
def test_template_renders_and_validates(env: str | None) -> None:
    objs = template(env)
    k.check_all(objs)
    k.check_hpa(objs, api_range=(1, 3) if env == "development" else (2, 20))
    for w in k.workloads(objs):
        for c in k.pod_template(w)["spec"]["containers"]:
            if c["image"].startswith(k.MIMIR_IMAGE):
                chart = yaml.safe_load((k.CHART / "Chart.yaml").read_text())
                assert c["image"] == f"{k.MIMIR_IMAGE}:{chart['appVersion']}"


@pytest.mark.parametrize("env", k.OVERLAYS)
def test_same_kinds_as_kustomize(env: str) -> None:
    from tests.deploy.test_kubernetes import overlay

    def kinds(objs: list[k.Obj]) -> set[tuple[str, str]]:
        return {(o["apiVersion"], o["kind"]) for o in objs}

    assert kinds(template(env)) == kinds(overlay(env))
    # and the same number of workloads, services, policies, autoscalers
    for kind in ("Deployment", "Rollout", "Service", "NetworkPolicy", "HorizontalPodAutoscaler"):
        assert len(k.by_kind(template(env), kind)) == len(k.by_kind(overlay(env), kind)), kind


def test_production_rollout() -> None:
    objs = template("production")
    assert not [d for d in k.by_kind(objs, "Deployment") if d["metadata"]["name"].endswith("-api")]
    rollout = k.one(objs, "Rollout", "-api")
    assert "replicas" not in rollout["spec"], "the HPA owns the replica count"
    hash_keys = {
        key
        for t in rollout["spec"]["template"]["spec"]["topologySpreadConstraints"]
        for key in t["matchLabelKeys"]
    }
    assert hash_keys == {"rollouts-pod-template-hash"}
    check_analysis(k.one(objs, "AnalysisTemplate", "-api-error-rate"))
    assert (
        k.one(objs, "HorizontalPodAutoscaler", "-api")["spec"]["scaleTargetRef"]["kind"]
        == "Rollout"
    )


def test_migration_is_a_hook_that_needs_nothing_the_chart_creates() -> None:
    job = k.one(template(), "Job", "-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    spec = job["spec"]["template"]["spec"]
    # before the first install the chart's ConfigMap and ServiceAccount do not exist yet
    assert "serviceAccountName" not in spec
    assert not spec["containers"][0].get("envFrom")


def test_values_files_match_the_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert SCHEMA["additionalProperties"] is False
    defaults = yaml.safe_load((k.CHART / "values.yaml").read_text())
    jsonschema.Draft7Validator(SCHEMA).validate(defaults)
    for path in ENVIRONMENTS.values():
        merged = _merge(copy.deepcopy(defaults), yaml.safe_load(path.read_text()))
        jsonschema.Draft7Validator(SCHEMA).validate(merged)


def _merge(base: dict[str, object], over: dict[str, object]) -> dict[str, object]:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)  # type: ignore[arg-type]
        else:
            base[key] = value
    return base


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("image.tag=latest", "image.tag"),
        ("api.autoscaling.minReplicas=0", "minReplicas"),
        ("api.autoscaling.targetCPUUtilizationPercentage=170", "targetCPUUtilizationPercentage"),
        ("api.resources.limits=null", "limits"),
        ("secrets.existingSecret=", "existingSecret"),
        ("config.DATABASE_URL=postgresql://x", "DATABASE_URL"),
        ("config.MIMIR_DATABASE_URL=postgresql://x", "MIMIR_DATABASE_URL"),
        ("networkPolicy.postgresqlPort=70000", "postgresqlPort"),
        ("backup.schedule=nightly", "schedule"),
        ("workers.replicas=3", "workers"),
        ("ingress.host=Not_A_Host", "host"),
        # checks across values, in the templates
        ("api.terminationGracePeriodSeconds=30", "terminationGracePeriodSeconds"),
        ("worker.terminationGracePeriodSeconds=20", "terminationGracePeriodSeconds"),
        ("ingress.tls.clusterIssuer=", "issuer"),
    ],
)
def test_wrong_values_are_refused(setting: str, message: str) -> None:
    proc = helm("template", "mimir-news", str(k.CHART), "--set", setting)
    assert proc.returncode != 0, f"{setting} was accepted"
    assert message in proc.stderr, proc.stderr


def test_toggles() -> None:
    objs = template(
        sets=(
            "networkPolicy.enabled=false",
            "backup.enabled=false",
            "api.autoscaling.enabled=false",
            "api.vpa.enabled=false",
            "monitoring.podMonitor.enabled=false",
            "ingress.enabled=false",
            "migrate.enabled=false",
        )
    )
    kinds = {o["kind"] for o in objs}
    assert not kinds & {"NetworkPolicy", "CronJob", "PodMonitor", "Ingress", "Job"}
    assert k.one(objs, "Deployment", "-api")["spec"]["replicas"] == 2
    assert [h["metadata"]["name"] for h in k.by_kind(objs, "HorizontalPodAutoscaler")] == [
        "mimir-news-worker"
    ]
    for o in objs:
        k.validate(o)


def test_config_changes_restart_the_pods() -> None:
    def checksum(objs: list[k.Obj]) -> str:
        dep = k.one(objs, "Deployment", "-worker")
        return str(dep["spec"]["template"]["metadata"]["annotations"]["checksum/config"])

    assert checksum(template()) != checksum(template(sets=("config.MIMIR_LOG_LEVEL=debug",)))


def test_readme_documents_every_value() -> None:
    readme = (k.CHART / "README.md").read_text()
    values = yaml.safe_load((k.CHART / "values.yaml").read_text())
    for key in values:
        assert f"`{key}" in readme, f"README.md does not document {key}"


def test_notes_render(tmp_path: Path) -> None:
    """NOTES.txt is only rendered by `helm install` (which needs a cluster): render it through
    a copy of the chart with a template that runs it with `tpl`."""
    chart = tmp_path / "chart"
    shutil.copytree(k.CHART, chart)
    shutil.copy(chart / "templates" / "NOTES.txt", chart / "notes-src.txt")
    (chart / "templates" / "notes-check.yaml").write_text(
        'notes: {{ tpl (.Files.Get "notes-src.txt") . | toJson }}\n'
    )
    for env in (None, "production"):
        args = ["template", "mimir-news", str(chart), "-n", "mimir"]
        args += ["--show-only", "templates/notes-check.yaml"]
        if env:
            args += ["--values", str(ENVIRONMENTS[env])]
        proc = helm(*args)
        assert proc.returncode == 0, proc.stderr
        notes = k.load_docs(proc.stdout)[0]["notes"]
        assert "ghcr.io/mimir-news/mimir:" in notes and "mimir-secrets" in notes
        assert ("kubectl argo rollouts" in notes) == (env == "production")
