"""Rendering and checking Kubernetes objects, shared by test_kubernetes.py and test_helm.py.

Core kinds are validated against the Kubernetes OpenAPI schemas that kubernetes-validate ships
(strict: unknown fields are errors), for the Kubernetes version of the kubectl the project
installs (scripts/tools/k8s-tools.sh). Custom resources (VPA, PodMonitor, Argo, cert-manager,
Chaos Mesh) have no schema there: :data:`CRD_SCHEMAS` holds small JSON schemas of the fields
that matter, written from those projects' CRDs.
"""

from __future__ import annotations

import ipaddress
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from mimir.config import Settings
from mimir.metrics import exported_names
from tests.deploy.conftest import REPO

K8S_VERSION = "1.30.0"
KUSTOMIZE = REPO / "deploy" / "kubernetes"
OVERLAYS = ("development", "staging", "production")
CHART = REPO / "deploy" / "helm" / "mimir-news"
HELM_ENVIRONMENTS = REPO / "deploy" / "helm" / "environments"
MIMIR_IMAGE = "ghcr.io/mimir-news/mimir"
MIMIR_UID = 10001
PRIVATE_V4 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8")

Obj = dict[str, Any]

WORKLOAD_KINDS = ("Deployment", "Rollout", "Job", "CronJob")


def run(args: list[str], cwd: Path = REPO) -> str:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def load_docs(text: str) -> list[Obj]:
    return [d for d in yaml.safe_load_all(text) if d]


def kustomize(kubectl: str, path: Path) -> list[Obj]:
    return load_docs(run([kubectl, "kustomize", str(path)]))


def helm_template(
    helm: str, values: Iterable[Path] = (), namespace: str = "mimir", sets: Iterable[str] = ()
) -> list[Obj]:
    args = [helm, "template", "mimir-news", str(CHART), "--namespace", namespace]
    for v in values:
        args += ["--values", str(v)]
    for s in sets:
        args += ["--set", s]
    return load_docs(run(args))


def by_kind(objs: Iterable[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def one(objs: Iterable[Obj], kind: str, name_suffix: str) -> Obj:
    found = [o for o in by_kind(objs, kind) if o["metadata"]["name"].endswith(name_suffix)]
    assert len(found) == 1, f"expected one {kind} *{name_suffix}, found {len(found)}"
    return found[0]


def component(obj: Obj) -> str:
    labels = pod_template(obj)["metadata"]["labels"]
    return str(labels["app.kubernetes.io/component"])


# ---- schemas ----------------------------------------------------------------------------------


def is_core(obj: Obj) -> bool:
    group = obj["apiVersion"].rpartition("/")[0]
    return "." not in group or (group.endswith(".k8s.io") and group != "autoscaling.k8s.io")


def validate_core(obj: Obj) -> None:
    """Strict validation against the Kubernetes schemas (unknown fields are errors)."""
    try:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        name = f"{obj['kind']}/{obj['metadata'].get('name')}"
        raise AssertionError(f"{name}: {exc.message} at {list(exc.path)}") from exc


def _strs(**kw: Any) -> Obj:
    return {"type": "string", "minLength": 1, **kw}


_META = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": _strs(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")},
}
_TARGET_REF = {
    "type": "object",
    "required": ["apiVersion", "kind", "name"],
    "properties": {"apiVersion": _strs(), "kind": {"enum": ["Deployment", "Rollout"]}},
}
_LABEL_SELECTOR = {
    "type": "object",
    "properties": {
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        "matchExpressions": {"type": "array"},
    },
    "additionalProperties": False,
}
_CHAOS_SELECTOR = {
    "type": "object",
    "required": ["namespaces", "labelSelectors"],
    "properties": {
        "namespaces": {"type": "array", "items": _strs(), "minItems": 1},
        "labelSelectors": {"type": "object", "minProperties": 1},
    },
}
_CHAOS_COMMON = {
    "selector": _CHAOS_SELECTOR,
    "mode": {"enum": ["one", "all", "fixed", "fixed-percent", "random-max-percent"]},
    "duration": _strs(pattern=r"^[0-9]+(s|m|h)$"),
}


def _crd(api_version: str, kind: str, spec: Obj) -> Obj:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": _META,
            "spec": spec,
        },
    }


#: (apiVersion, kind) -> JSON schema of the fields Mimir's manifests rely on
CRD_SCHEMAS: dict[tuple[str, str], Obj] = {
    ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler"): _crd(
        "autoscaling.k8s.io/v1",
        "VerticalPodAutoscaler",
        {
            "type": "object",
            "required": ["targetRef", "updatePolicy"],
            "additionalProperties": False,
            "properties": {
                "targetRef": _TARGET_REF,
                "updatePolicy": {
                    "type": "object",
                    "required": ["updateMode"],
                    "properties": {"updateMode": {"enum": ["Off", "Initial", "Recreate", "Auto"]}},
                },
                "resourcePolicy": {"type": "object"},
            },
        },
    ),
    ("monitoring.coreos.com/v1", "PodMonitor"): _crd(
        "monitoring.coreos.com/v1",
        "PodMonitor",
        {
            "type": "object",
            "required": ["selector", "podMetricsEndpoints"],
            "additionalProperties": False,
            "properties": {
                "selector": _LABEL_SELECTOR,
                "podMetricsEndpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["port", "path"],
                        "additionalProperties": False,
                        "properties": {
                            "port": _strs(),
                            "path": _strs(),
                            "interval": _strs(pattern=r"^[0-9]+(ms|s|m|h)$"),
                            "scrapeTimeout": _strs(pattern=r"^[0-9]+(ms|s|m|h)$"),
                            "relabelings": {"type": "array"},
                        },
                    },
                },
            },
        },
    ),
    ("argoproj.io/v1alpha1", "Rollout"): _crd(
        "argoproj.io/v1alpha1",
        "Rollout",
        {
            "type": "object",
            "required": ["selector", "template", "strategy"],
            "properties": {
                "replicas": {"type": "integer", "minimum": 0},
                "selector": _LABEL_SELECTOR,
                "template": {"type": "object", "required": ["metadata", "spec"]},
                "strategy": {
                    "type": "object",
                    "required": ["blueGreen"],
                    "additionalProperties": False,
                    "properties": {
                        "blueGreen": {
                            "type": "object",
                            "required": ["activeService", "previewService"],
                            "additionalProperties": False,
                            "properties": {
                                "activeService": _strs(),
                                "previewService": _strs(),
                                "autoPromotionEnabled": {"type": "boolean"},
                                "scaleDownDelaySeconds": {"type": "integer"},
                                "abortScaleDownDelaySeconds": {"type": "integer"},
                                "prePromotionAnalysis": {"$ref": "#/definitions/analysis"},
                                "postPromotionAnalysis": {"$ref": "#/definitions/analysis"},
                            },
                        }
                    },
                },
            },
        },
    )
    | {
        "definitions": {
            "analysis": {
                "type": "object",
                "required": ["templates"],
                "properties": {
                    "templates": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "object", "required": ["templateName"]},
                    },
                    "args": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": _strs(),
                                "value": {"type": "string"},
                                "valueFrom": {
                                    "type": "object",
                                    "properties": {
                                        "podTemplateHashValue": {"enum": ["Stable", "Latest"]},
                                        "fieldRef": {
                                            "type": "object",
                                            "required": ["fieldPath"],
                                        },
                                    },
                                    "additionalProperties": False,
                                },
                            },
                        },
                    },
                },
            }
        }
    },
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): _crd(
        "argoproj.io/v1alpha1",
        "AnalysisTemplate",
        {
            "type": "object",
            "required": ["metrics"],
            "properties": {
                "args": {"type": "array", "items": {"type": "object", "required": ["name"]}},
                "metrics": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["name", "provider", "successCondition"],
                        "properties": {
                            "interval": _strs(pattern=r"^[0-9]+(s|m|h)$"),
                            "count": {"type": "integer", "minimum": 1},
                            "failureLimit": {"type": "integer", "minimum": 0},
                            "provider": {
                                "type": "object",
                                "required": ["prometheus"],
                                "properties": {
                                    "prometheus": {
                                        "type": "object",
                                        "required": ["address", "query"],
                                    }
                                },
                            },
                        },
                    },
                },
            },
        },
    ),
    ("argoproj.io/v1alpha1", "Application"): _crd(
        "argoproj.io/v1alpha1",
        "Application",
        {
            "type": "object",
            "required": ["project", "source", "destination"],
            "properties": {
                "project": _strs(),
                "source": {
                    "type": "object",
                    "required": ["repoURL", "path", "targetRevision"],
                    "properties": {"repoURL": _strs(pattern=r"^https://")},
                },
                "destination": {
                    "type": "object",
                    "required": ["server", "namespace"],
                },
                "syncPolicy": {"type": "object"},
                "ignoreDifferences": {"type": "array"},
            },
        },
    ),
    ("argoproj.io/v1alpha1", "AppProject"): _crd(
        "argoproj.io/v1alpha1",
        "AppProject",
        {
            "type": "object",
            "required": ["sourceRepos", "destinations"],
            "properties": {
                "sourceRepos": {"type": "array", "minItems": 1},
                "destinations": {"type": "array", "minItems": 1},
            },
        },
    ),
    ("cert-manager.io/v1", "Issuer"): _crd(
        "cert-manager.io/v1",
        "Issuer",
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {"selfSigned": {"type": "object"}, "acme": {"type": "object"}},
            "additionalProperties": False,
        },
    ),
    ("chaos-mesh.org/v1alpha1", "PodChaos"): _crd(
        "chaos-mesh.org/v1alpha1",
        "PodChaos",
        {
            "type": "object",
            "required": ["action", "mode", "selector"],
            "additionalProperties": False,
            "properties": {
                **_CHAOS_COMMON,
                "action": {"enum": ["pod-kill", "pod-failure", "container-kill"]},
                "gracePeriod": {"type": "integer", "minimum": 0},
                "value": _strs(),
            },
        },
    ),
    ("chaos-mesh.org/v1alpha1", "NetworkChaos"): _crd(
        "chaos-mesh.org/v1alpha1",
        "NetworkChaos",
        {
            "type": "object",
            "required": ["action", "mode", "selector", "duration"],
            "additionalProperties": False,
            "properties": {
                **_CHAOS_COMMON,
                "action": {"enum": ["netem", "delay", "loss", "duplicate", "corrupt", "partition"]},
                "direction": {"enum": ["to", "from", "both"]},
                "target": {
                    "type": "object",
                    "required": ["mode", "selector"],
                    "properties": {"mode": _CHAOS_COMMON["mode"], "selector": _CHAOS_SELECTOR},
                },
                "externalTargets": {"type": "array", "items": _strs()},
                "delay": {
                    "type": "object",
                    "required": ["latency"],
                    "properties": {
                        "latency": _strs(pattern=r"^[0-9]+(ms|s)$"),
                        "jitter": _strs(pattern=r"^[0-9]+(ms|s)$"),
                        "correlation": _strs(),
                    },
                    "additionalProperties": False,
                },
            },
        },
    ),
    ("chaos-mesh.org/v1alpha1", "Schedule"): _crd(
        "chaos-mesh.org/v1alpha1",
        "Schedule",
        {
            "type": "object",
            "required": ["schedule", "type", "historyLimit", "concurrencyPolicy"],
            "properties": {"type": {"enum": ["PodChaos", "NetworkChaos"]}},
        },
    ),
}


def validate(obj: Obj) -> None:
    """A core object against the Kubernetes schema, a custom resource against ours."""
    assert {"apiVersion", "kind", "metadata"} <= obj.keys(), obj
    if is_core(obj):
        validate_core(obj)
        return
    key = (obj["apiVersion"], obj["kind"])
    assert key in CRD_SCHEMAS, f"no schema for {key}: add one to CRD_SCHEMAS"
    try:
        jsonschema.validate(obj, CRD_SCHEMAS[key])
    except jsonschema.ValidationError as exc:
        name = f"{obj['kind']}/{obj['metadata'].get('name')}"
        raise AssertionError(f"{name}: {exc.message} at {list(exc.absolute_path)}") from exc


# ---- semantic checks ---------------------------------------------------------------------------


def pod_template(obj: Obj) -> Obj:
    if obj["kind"] == "CronJob":
        return dict(obj["spec"]["jobTemplate"]["spec"]["template"])
    return dict(obj["spec"]["template"])


def workloads(objs: Iterable[Obj]) -> Iterator[Obj]:
    return (o for o in objs if o["kind"] in WORKLOAD_KINDS)


def settings_env_names() -> set[str]:
    return {f"MIMIR_{name.upper()}" for name in Settings.model_fields}


def check_image(image: str) -> None:
    _repo, sep, tag = image.rpartition(":")
    assert sep and "/" not in tag, f"{image}: no tag"
    assert tag and tag != "latest", f"{image}: pin a version, never latest"


def check_restricted(obj: Obj) -> None:
    """Pod Security "restricted", resources, no API token, writable /tmp only."""
    name = f"{obj['kind']}/{obj['metadata']['name']}"
    spec = pod_template(obj)["spec"]
    assert spec.get("automountServiceAccountToken") is False, f"{name}: token mounted"
    psc = spec["securityContext"]
    assert psc["runAsNonRoot"] is True, name
    assert psc["seccompProfile"] == {"type": "RuntimeDefault"}, name
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for c in spec.get("initContainers", []) + spec["containers"]:
        cname = f"{name} container {c['name']}"
        check_image(c["image"])
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False, cname
        assert sc["readOnlyRootFilesystem"] is True, cname
        assert sc["runAsNonRoot"] is True, cname
        assert sc["capabilities"] == {"drop": ["ALL"]}, cname
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, cname
        assert sc["runAsUser"] != 0 and psc["runAsUser"] != 0, cname
        if c["image"].startswith(MIMIR_IMAGE + ":"):
            assert sc["runAsUser"] == MIMIR_UID == psc["runAsUser"], cname
        res = c["resources"]
        for part in ("requests", "limits"):
            assert {"cpu", "memory"} <= res[part].keys(), f"{cname}: {part}"
        mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
        assert "/tmp" in mounts, f"{cname}: no writable /tmp"
        assert "emptyDir" in volumes[mounts["/tmp"]["name"]], cname


def check_mimir_workload(obj: Obj, objs: list[Obj]) -> None:
    """The api, worker and migrate containers: commands, ports, probes, secrets, shutdown."""
    name = f"{obj['kind']}/{obj['metadata']['name']}"
    spec = pod_template(obj)["spec"]
    (c,) = spec["containers"]
    assert c["image"].startswith(MIMIR_IMAGE + ":"), name
    env = {e["name"]: e for e in c.get("env", [])}
    assert "MIMIR_DATABASE_URL" not in env, f"{name}: a database URL in plain text"
    secret_file = env["MIMIR_DATABASE_URL_FILE"]["value"]
    mounts = [m for m in c["volumeMounts"] if secret_file.startswith(m["mountPath"] + "/")]
    assert len(mounts) == 1, f"{name}: {secret_file} is on no mounted volume"
    volume = next(v for v in spec["volumes"] if v["name"] == mounts[0]["name"])
    assert "secret" in volume, f"{name}: {secret_file} is not from a Secret"
    for key in env:
        if key.startswith("MIMIR_"):
            assert key.removesuffix("_FILE") in settings_env_names(), f"{name}: unknown {key}"
    config_refs = [e["configMapRef"]["name"] for e in c.get("envFrom", []) if "configMapRef" in e]
    config: dict[str, str] = {}
    for ref in config_refs:
        config |= one(objs, "ConfigMap", ref)["data"]
    if not config_refs:  # the Helm migrate hook carries its settings
        config = {k: v["value"] for k, v in env.items() if "value" in v}
        config = {k: v for k, v in config.items() if not k.endswith("_FILE")}
    for key in config:
        assert key in settings_env_names(), f"{name}: {key} is no Mimir setting"
    role = component(obj)
    args = c.get("args", [])
    probes = ("startupProbe", "livenessProbe", "readinessProbe")
    if role == "migrate":
        assert args == ["migrate"], name
        return
    grace = float(config["MIMIR_SHUTDOWN_GRACE_SECONDS"])
    pre_stop = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pause = int(pre_stop[1]) if pre_stop[:1] == ["sleep"] else 0
    assert spec["terminationGracePeriodSeconds"] > grace + pause, f"{name}: grace too short"
    for probe in probes:
        assert probe in c, f"{name}: no {probe}"
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    if role == "api":
        assert args[0] == "serve" and args[1] == "--workers" and int(args[2]) >= 1, name
        assert ports == {"http": 8080} and config["MIMIR_HTTP_PORT"] == "8080", name
        assert config["MIMIR_HTTP_HOST"] == "0.0.0.0", f"{name}: must listen on every interface"
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert c["startupProbe"]["httpGet"]["path"] == "/healthz", name
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert pause > 0, f"{name}: no preStop pause"
    elif role == "worker":
        assert args == ["worker"], name
        assert ports == {"metrics": 9464} and config["MIMIR_METRICS_PORT"] == "9464", name
        for probe in probes:
            assert c[probe]["tcpSocket"]["port"] == "metrics", f"{name}: {probe}"
    else:
        raise AssertionError(f"{name}: unknown component {role}")


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        present = expr["key"] in labels
        if expr["operator"] == "In" and labels.get(expr["key"]) not in expr["values"]:
            return False
        if expr["operator"] == "NotIn" and labels.get(expr["key"]) in expr["values"]:
            return False
        if expr["operator"] == "Exists" and not present:
            return False
    return True


def pods_of(objs: list[Obj], selector: Obj) -> list[Obj]:
    return [
        o
        for o in workloads(objs)
        if selects(selector, pod_template(o)["metadata"].get("labels", {}))
    ]


def check_references(objs: list[Obj]) -> None:
    """Every name one object refers to exists in the same render."""
    names = {(o["kind"], o["metadata"]["name"]) for o in objs}
    for o in workloads(objs):
        spec = pod_template(o)["spec"]
        if spec.get("serviceAccountName") not in (None, "default"):
            assert ("ServiceAccount", spec["serviceAccountName"]) in names
        for c in spec["containers"]:
            for e in c.get("envFrom", []):
                if "configMapRef" in e:
                    assert ("ConfigMap", e["configMapRef"]["name"]) in names, e
        for v in spec.get("volumes", []):
            if "persistentVolumeClaim" in v:
                claim = v["persistentVolumeClaim"]["claimName"]
                assert ("PersistentVolumeClaim", claim) in names, claim
    for svc in by_kind(objs, "Service"):
        backends = pods_of(objs, {"matchLabels": svc["spec"]["selector"]})
        assert backends, f"Service {svc['metadata']['name']} selects no pods"
        for port in svc["spec"]["ports"]:
            for b in backends:
                container_ports = {
                    p["name"] for c in pod_template(b)["spec"]["containers"] for p in c["ports"]
                }
                assert port["targetPort"] in container_ports, svc["metadata"]["name"]
    for pdb in by_kind(objs, "PodDisruptionBudget"):
        assert pods_of(objs, pdb["spec"]["selector"]), pdb["metadata"]["name"]
    for hpa in by_kind(objs, "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        assert (ref["kind"], ref["name"]) in names, ref
    for vpa in by_kind(objs, "VerticalPodAutoscaler"):
        ref = vpa["spec"]["targetRef"]
        assert (ref["kind"], ref["name"]) in names, ref
        assert vpa["spec"]["updatePolicy"]["updateMode"] == "Off", "VPA must only recommend"
    for ing in by_kind(objs, "Ingress"):
        for rule in ing["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert ("Service", path["backend"]["service"]["name"]) in names
    for pm in by_kind(objs, "PodMonitor"):
        scraped = pods_of(objs, pm["spec"]["selector"])
        assert {component(p) for p in scraped} == {"api", "worker"}
        all_ports = {
            p["name"]
            for w in scraped
            for c in pod_template(w)["spec"]["containers"]
            for p in c["ports"]
        }
        for ep in pm["spec"]["podMetricsEndpoints"]:
            assert ep["port"] in all_ports and ep["path"] == "/metrics", ep
    for ro in by_kind(objs, "Rollout"):
        bg = ro["spec"]["strategy"]["blueGreen"]
        assert ("Service", bg["activeService"]) in names
        assert ("Service", bg["previewService"]) in names
        for phase in ("prePromotionAnalysis", "postPromotionAnalysis"):
            for t in bg[phase]["templates"]:
                assert ("AnalysisTemplate", t["templateName"]) in names


def check_network_policies(objs: list[Obj]) -> None:
    """Default deny first; then only what each part needs."""
    policies = by_kind(objs, "NetworkPolicy")
    deny = [
        p
        for p in policies
        if set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(deny) == 1, "one default-deny policy for ingress and egress"
    mimir_pods = list(workloads(objs))
    assert all(
        selects(deny[0]["spec"]["podSelector"], pod_template(w)["metadata"]["labels"])
        for w in mimir_pods
    ), "the default deny must cover every pod"
    ingress_ports: dict[str, set[int]] = {}
    egress_ports: dict[str, set[int]] = {}
    for p in policies:
        covered = {component(w) for w in pods_of(objs, p["spec"]["podSelector"])}
        for rule in p["spec"].get("ingress", []):
            assert rule.get("from"), f"{p['metadata']['name']}: ingress from anywhere"
            for peer in rule["from"]:
                assert "namespaceSelector" in peer and "podSelector" in peer, peer
            for c in covered:
                ingress_ports.setdefault(c, set()).update(x["port"] for x in rule["ports"])
        for rule in p["spec"].get("egress", []):
            ports = {x["port"] for x in rule["ports"]}
            for peer in rule.get("to", []):
                if "ipBlock" in peer and peer["ipBlock"]["cidr"] == "0.0.0.0/0":
                    excepted = [ipaddress.IPv4Network(x) for x in peer["ipBlock"]["except"]]
                    for private in PRIVATE_V4:
                        net = ipaddress.IPv4Network(private)
                        assert any(net.subnet_of(e) for e in excepted), f"{private} reachable"
                    assert ports <= {80, 443, 587}, ports
            for c in covered:
                egress_ports.setdefault(c, set()).update(ports)
    assert ingress_ports == {"api": {8080}, "worker": {9464}}, ingress_ports
    assert egress_ports["api"] == egress_ports["worker"] == {53, 5432, 6379, 4318, 80, 443, 587}
    assert egress_ports["migrate"] == {53, 5432}, egress_ports
    if "backup" in egress_ports:
        assert egress_ports["backup"] == {53, 5432}, egress_ports


def check_hpa(objs: list[Obj], api_range: tuple[int, int] | None = (2, 20)) -> None:
    """CPU 70% / memory 80% for both; the worker also on the scheduler's lag."""
    for hpa in by_kind(objs, "HorizontalPodAutoscaler"):
        spec = hpa["spec"]
        resources = {
            m["resource"]["name"]: m["resource"]["target"]
            for m in spec["metrics"]
            if m["type"] == "Resource"
        }
        assert resources == {
            "cpu": {"type": "Utilization", "averageUtilization": 70},
            "memory": {"type": "Utilization", "averageUtilization": 80},
        }, hpa["metadata"]["name"]
        external = [m["external"] for m in spec["metrics"] if m["type"] == "External"]
        target = spec["scaleTargetRef"]["name"]
        if target.endswith("-api"):
            if api_range is not None:
                assert (spec["minReplicas"], spec["maxReplicas"]) == api_range
            assert not external
        else:
            assert target.endswith("-worker"), target
            assert {e["metric"]["selector"]["matchLabels"]["queue"] for e in external} == {
                "sources",
                "articles",
            }
            for e in external:
                assert e["metric"]["name"] == "mimir_news_queue_oldest_age_seconds"
                assert e["metric"]["name"] in exported_names()
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]


def check_ingress(objs: list[Obj]) -> None:
    """TLS from cert-manager; /metrics closed at the edge."""
    ingresses = by_kind(objs, "Ingress")
    main = [i for i in ingresses if i["spec"].get("tls")]
    assert len(main) == 1
    ing = main[0]
    annotations = ing["metadata"]["annotations"]
    assert {"cert-manager.io/cluster-issuer", "cert-manager.io/issuer"} & annotations.keys()
    hosts = {r["host"] for r in ing["spec"]["rules"]}
    assert hosts == set(ing["spec"]["tls"][0]["hosts"])
    deny = [i for i in ingresses if i is not ing]
    assert len(deny) == 1
    assert deny[0]["metadata"]["annotations"] == {
        "nginx.ingress.kubernetes.io/whitelist-source-range": "127.0.0.1/32"
    }
    assert {r["host"] for r in deny[0]["spec"]["rules"]} == hosts
    paths = {(p["path"], p["pathType"]) for p in deny[0]["spec"]["rules"][0]["http"]["paths"]}
    assert paths == {("/metrics", "Exact"), ("/metrics/", "Prefix")}
    for path in ing["spec"]["rules"][0]["http"]["paths"]:
        assert not path["path"].startswith("/metrics")


def check_all(objs: list[Obj]) -> None:
    """Everything one render must satisfy."""
    for o in objs:
        validate(o)
    assert not [o for o in objs if o["kind"] in ("Role", "ClusterRole", "RoleBinding")], (
        "Mimir calls no Kubernetes API: it needs no RBAC grants"
    )
    for sa in by_kind(objs, "ServiceAccount"):
        assert sa["automountServiceAccountToken"] is False
    for ns in by_kind(objs, "Namespace"):
        assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for w in workloads(objs):
        check_restricted(w)
        if component(w) != "backup":
            check_mimir_workload(w, objs)
    assert {component(w) for w in workloads(objs)} == {"api", "worker", "migrate", "backup"}
    check_references(objs)
    check_network_policies(objs)
    check_ingress(objs)
