"""The Kustomize manifests (deploy/kubernetes), the Argo CD Applications (deploy/argocd), the
prometheus-adapter rule and the Chaos Mesh experiments (deploy/chaos): rendered with the real
kubectl, validated against the Kubernetes schemas in strict mode, and checked for what
production needs (restricted pods, probes, limits, default-deny networking, the autoscaling
numbers of issue 6, pinned images)."""

from __future__ import annotations

import copy
import functools
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from mimir.cli.main import cli
from mimir.metrics import exported_names
from tests.deploy import k8s_common as k
from tests.deploy.conftest import REPO, tool

ARGOCD = REPO / "deploy" / "argocd"
CHAOS = REPO / "deploy" / "chaos"
ADAPTER = k.KUSTOMIZE / "prometheus-adapter" / "values.yaml"
NAMESPACES = {
    "development": "mimir-development",
    "staging": "mimir-staging",
    "production": "mimir-production",
}


@functools.cache
def _render(path: Path) -> tuple[k.Obj, ...]:
    return tuple(k.kustomize(tool("kubectl"), path))


def render(path: Path) -> list[k.Obj]:
    return copy.deepcopy(list(_render(path)))


def overlay(name: str) -> list[k.Obj]:
    return render(k.KUSTOMIZE / "overlays" / name)


def test_kubectl_is_the_one_the_schemas_are_pinned_to() -> None:
    out = k.run([tool("kubectl"), "version", "--client", "-o", "yaml"])
    version = yaml.safe_load(out)["clientVersion"]
    assert f"{version['major']}.{version['minor']}" == k.K8S_VERSION.rsplit(".", 1)[0]


@pytest.mark.parametrize("name", ["base", *k.OVERLAYS])
def test_renders_and_validates(name: str) -> None:
    path = k.KUSTOMIZE / ("base" if name == "base" else f"overlays/{name}")
    objs = render(path)
    k.check_all(objs)
    for o in objs:
        if o["kind"] != "Namespace" and "metadata" in o:
            expected = "mimir" if name == "base" else NAMESPACES[name]
            assert o["metadata"]["namespace"] == expected, o["metadata"]["name"]
    assert [o["metadata"]["name"] for o in k.by_kind(objs, "Namespace")] == [
        "mimir" if name == "base" else NAMESPACES[name]
    ]


def test_strict_validation_catches_a_wrong_field() -> None:
    deployment = copy.deepcopy(k.one(overlay("staging"), "Deployment", "mimir-api"))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    with pytest.raises(AssertionError, match="livenessprobe"):
        k.validate(deployment)
    vpa = copy.deepcopy(k.one(overlay("staging"), "VerticalPodAutoscaler", "mimir-api"))
    vpa["spec"]["updatePolicy"]["updateMode"] = "Sometimes"
    with pytest.raises(AssertionError, match="Sometimes"):
        k.validate(vpa)


def test_the_commands_are_the_cli_s() -> None:
    assert {"serve", "worker", "migrate"} <= set(cli.commands)  # type: ignore[attr-defined]
    serve_options = {o for p in cli.commands["serve"].params for o in p.opts}  # type: ignore[attr-defined]
    assert "--workers" in serve_options


@pytest.mark.parametrize("name", ["base", "staging", "production"])
def test_autoscaling_numbers_of_the_issue(name: str) -> None:
    path = k.KUSTOMIZE / ("base" if name == "base" else f"overlays/{name}")
    objs = render(path)
    k.check_hpa(objs, api_range=(2, 20))


def test_development_is_small() -> None:
    objs = overlay("development")
    k.check_hpa(objs, api_range=(1, 3))
    for d in k.by_kind(objs, "Deployment"):
        assert d["spec"]["replicas"] == 1
    api = k.one(objs, "Deployment", "mimir-api")
    assert api["spec"]["template"]["spec"]["containers"][0]["args"] == ["serve", "--workers", "1"]
    assert k.by_kind(objs, "Issuer"), "development signs its own certificate"
    ing = k.one(objs, "Ingress", "mimir-api")
    assert ing["metadata"]["annotations"]["cert-manager.io/issuer"] == "mimir-selfsigned"


def _limits(objs: list[k.Obj], kind: str, name: str) -> dict[str, str]:
    return dict(
        k.one(objs, kind, name)["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    )


def test_production_is_bigger_and_ships_the_api_blue_green() -> None:
    base = render(k.KUSTOMIZE / "base")
    prod = overlay("production")
    assert not [d for d in k.by_kind(prod, "Deployment") if d["metadata"]["name"] == "mimir-api"]
    rollout = k.one(prod, "Rollout", "mimir-api")
    assert rollout["spec"]["replicas"] >= 3
    assert k.one(prod, "Deployment", "mimir-worker")["spec"]["replicas"] >= 3
    assert _limits(prod, "Rollout", "mimir-api") != _limits(base, "Deployment", "mimir-api")
    assert k.one(prod, "HorizontalPodAutoscaler", "mimir-worker")["spec"]["maxReplicas"] > 20
    for ref in (
        k.one(prod, "HorizontalPodAutoscaler", "mimir-api")["spec"]["scaleTargetRef"],
        k.one(prod, "VerticalPodAutoscaler", "mimir-api")["spec"]["targetRef"],
    ):
        assert ref == {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "mimir-api"}
    # the Rollout runs the same pod as the base's Deployment, at production's size
    ours = copy.deepcopy(rollout["spec"]["template"])
    theirs = copy.deepcopy(k.one(base, "Deployment", "mimir-api")["spec"]["template"])
    for tpl in (ours, theirs):
        c = tpl["spec"]["containers"][0]
        c.pop("resources")
        c["envFrom"] = [e for e in c["envFrom"] if "configMapRef" not in e]
        for t in tpl["spec"]["topologySpreadConstraints"]:
            t.pop("matchLabelKeys")
        tpl["metadata"]["labels"].pop("app.kubernetes.io/environment", None)
    assert ours == theirs
    bg = rollout["spec"]["strategy"]["blueGreen"]
    assert bg["activeService"] == "mimir-api" and bg["previewService"] == "mimir-api-preview"
    assert bg["prePromotionAnalysis"]["templates"] == bg["postPromotionAnalysis"]["templates"]


def check_analysis(template: k.Obj) -> None:
    """The error-rate analysis names the real requests counter and only real metrics."""
    (metric,) = template["spec"]["metrics"]
    query = metric["provider"]["prometheus"]["query"]
    assert "mimir_news_http_requests_total" in exported_names()
    assert query.count("mimir_news_http_requests_total") == 2
    assert 'status=~"5.."' in query
    names = set(re.findall(r"\bmimir_news_[a-z_]+", query))
    assert names <= exported_names(), names - exported_names()
    assert "{{args.pod-template-hash}}" in query, "the analysis must look at the new pods only"
    assert "{{args.max-error-ratio}}" in metric["successCondition"]
    declared = {a["name"] for a in template["spec"]["args"]}
    assert (
        set(re.findall(r"\{\{args\.([a-z-]+)\}\}", query + metric["successCondition"])) <= declared
    )


def test_analysis_template() -> None:
    prod = overlay("production")
    check_analysis(k.one(prod, "AnalysisTemplate", "mimir-api-error-rate"))
    # the PodMonitor puts the Rollouts hash on the samples the query filters by
    endpoints = k.one(prod, "PodMonitor", "mimir")["spec"]["podMetricsEndpoints"]
    for ep in endpoints:
        assert "rollouts_pod_template_hash" in {r["targetLabel"] for r in ep["relabelings"]}


def test_images_are_pinned_and_overlays_agree() -> None:
    tags = set()
    for name in k.OVERLAYS:
        for w in k.workloads(overlay(name)):
            for c in k.pod_template(w)["spec"]["containers"]:
                k.check_image(c["image"])
                if c["image"].startswith(k.MIMIR_IMAGE):
                    tags.add(c["image"])
    assert len(tags) == 1, f"one Mimir version everywhere: {tags}"


def test_prometheus_adapter_serves_the_hpa_metric() -> None:
    values = yaml.safe_load(ADAPTER.read_text())
    (rule,) = values["rules"]["external"]
    metric = rule["name"]["as"]
    assert metric == "mimir_news_queue_oldest_age_seconds" and metric in exported_names()
    assert re.match(rf"^{metric}\{{", rule["seriesQuery"])
    assert re.match(rule["name"]["matches"], metric)
    assert "<<.Series>>" in rule["metricsQuery"] and "<<.LabelMatchers>>" in rule["metricsQuery"]
    assert rule["resources"]["overrides"]["namespace"]["resource"] == "namespace"
    hpa_metrics = {
        m["external"]["metric"]["name"]
        for m in k.one(render(k.KUSTOMIZE / "base"), "HorizontalPodAutoscaler", "mimir-worker")[
            "spec"
        ]["metrics"]
        if m["type"] == "External"
    }
    assert hpa_metrics == {metric}


# ---- Argo CD -------------------------------------------------------------------------------------


def argocd_objects() -> list[k.Obj]:
    return [d for f in sorted(ARGOCD.glob("*.yaml")) for d in k.load_docs(f.read_text())]


def test_argocd_applications_one_per_environment() -> None:
    objs = argocd_objects()
    for o in objs:
        k.validate(o)
    (project,) = k.by_kind(objs, "AppProject")
    apps = k.by_kind(objs, "Application")
    assert len(apps) == len(k.OVERLAYS)
    seen = set()
    for app in apps:
        spec = app["spec"]
        assert spec["project"] == project["metadata"]["name"]
        path = REPO / spec["source"]["path"]
        env = path.name
        seen.add(env)
        assert path.parent == k.KUSTOMIZE / "overlays", spec["source"]["path"]
        assert spec["destination"]["namespace"] == NAMESPACES[env]
        assert spec["source"]["repoURL"] in project["spec"]["sourceRepos"]
        assert {"namespace": NAMESPACES[env], "server": spec["destination"]["server"]} in project[
            "spec"
        ]["destinations"]
        # replicas belong to the HPA: Argo CD must not fight it
        ignored = {(d["kind"], tuple(d["jsonPointers"])) for d in spec["ignoreDifferences"]}
        assert ("Deployment", ("/spec/replicas",)) in ignored
        assert "RespectIgnoreDifferences=true" in spec["syncPolicy"]["syncOptions"]
        automated = spec["syncPolicy"].get("automated")
        if env == "production":
            assert automated is None, "production syncs on purpose (CD pipeline or a person)"
        else:
            assert automated == {"prune": True, "selfHeal": True}
    assert seen == set(k.OVERLAYS)


def test_argocd_sync_order() -> None:
    """Config, ServiceAccount and policies (wave -2) before the migration hook (wave -1)
    before the workloads (wave 0)."""
    objs = overlay("staging")
    job = k.one(objs, "Job", "mimir-migrate")
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "Sync"
    assert job["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-1"
    for kind in ("ConfigMap", "ServiceAccount", "NetworkPolicy"):
        for o in k.by_kind(objs, kind):
            assert o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-2", kind


# ---- Chaos Mesh ---------------------------------------------------------------------------------

STEADY_STATE = "chaos.mimir-news.org/steady-state"
PROMQL = "chaos.mimir-news.org/steady-state-promql"


def test_chaos_experiments() -> None:
    objs = render(CHAOS)
    kinds: dict[str, k.Obj] = {}
    staging = overlay("staging")
    for o in objs:
        k.validate(o)
        assert o["metadata"]["namespace"] == "mimir-staging"
        annotations = o["metadata"]["annotations"]
        assert len(annotations[STEADY_STATE]) > 80, "the expected steady state, in words"
        queries = annotations[PROMQL]
        names = set(re.findall(r"\bmimir_news_[a-z_]+", queries))
        assert names and names <= exported_names(), names - exported_names()
        spec = o["spec"]
        assert spec["selector"]["namespaces"] == ["mimir-staging"]
        selected = k.pods_of(staging, {"matchLabels": spec["selector"]["labelSelectors"]})
        assert selected, f"{o['metadata']['name']} selects no Mimir pod"
        kinds[o["metadata"]["name"]] = o
    assert set(kinds) == {"worker-pod-kill", "postgresql-network-delay", "redis-outage"}
    kill = kinds["worker-pod-kill"]
    spec = kill["spec"]
    assert spec["action"] == "pod-kill"
    killed = k.pods_of(staging, {"matchLabels": spec["selector"]["labelSelectors"]})
    assert {k.component(w) for w in killed} == {"worker"}
    delay = kinds["postgresql-network-delay"]["spec"]
    assert delay["action"] == "delay" and delay["direction"] == "to"
    assert "postgresql" in yaml.safe_dump(delay["target"]["selector"])
    redis = kinds["redis-outage"]["spec"]
    assert redis["action"] == "partition"
    assert "redis" in yaml.safe_dump(redis["target"]["selector"])


def test_chaos_readme_describes_each_experiment() -> None:
    text = (CHAOS / "README.md").read_text()
    for name in ("worker-pod-kill", "postgresql-network-delay", "redis-outage"):
        assert name in text
    assert "steady state" in text.lower()


# ---- the installer and the docs -----------------------------------------------------------------


def test_installer_is_clean_shell() -> None:
    script = REPO / "scripts" / "tools" / "k8s-tools.sh"
    proc = subprocess.run(
        [tool("shellcheck"), str(script)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_docs_walk_through_every_part() -> None:
    text = (REPO / "docs" / "kubernetes.md").read_text()
    for needle in (
        "create secret generic mimir-secrets",
        "kubectl apply -k deploy/kubernetes/overlays/",
        "helm upgrade --install",
        "deploy/argocd",
        "kubectl argo rollouts",
        "prometheus-adapter",
        "pg_restore",
        "deploy/chaos",
        *k.OVERLAYS,
    ):
        assert needle in text, needle
