#!/usr/bin/env bash
# Installs promtool (Prometheus' rule checker and rule unit-test runner) for
# tests/deploy/test_monitoring.py. Idempotent: does nothing when a working promtool is already
# in .tools/bin or on PATH.
#
# The binary comes from Debian's (or Ubuntu's) `prometheus` package, but the package is NOT
# installed: `apt-get download` fetches the .deb and only usr/bin/promtool is copied out of it
# into .tools/bin (gitignored). So no Prometheus server, service, user or data directory is
# created, nothing is started or enabled, and no root is needed when the apt lists are present
# (as root, missing lists are fetched with `apt-get update`).
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN_DIR=.tools/bin
TARGET=$BIN_DIR/promtool

works() { [ -n "$1" ] && "$1" --version >/dev/null 2>&1; }

if works "$TARGET"; then
  exit 0
fi
if existing=$(command -v promtool 2>/dev/null) && works "$existing"; then
  exit 0
fi

fail() {
  echo "error: cannot install promtool: $*" >&2
  echo "       install it by hand (Debian/Ubuntu: sudo apt-get install prometheus, then" \
    "stop the service it starts; or copy a promtool binary into $BIN_DIR)" >&2
  exit 1
}

command -v apt-get >/dev/null || fail "apt-get is not available on this system"
command -v dpkg-deb >/dev/null || fail "dpkg-deb is not available on this system"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== installing promtool from the Debian package prometheus into $BIN_DIR"
download() { (cd "$work" && apt-get download -qq prometheus >/dev/null 2>"$work/apt.err"); }
if ! download; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq || fail "apt-get update failed"
    download || fail "apt-get download prometheus failed: $(cat "$work/apt.err")"
  else
    fail "apt-get download prometheus failed (not root, so the apt lists cannot be" \
      "refreshed): $(cat "$work/apt.err")"
  fi
fi

deb=$(find "$work" -maxdepth 1 -name 'prometheus_*.deb' | head -n 1)
[ -n "$deb" ] || fail "apt-get download left no prometheus_*.deb"
dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb could not unpack $deb"
[ -f "$work/root/usr/bin/promtool" ] || fail "$deb holds no usr/bin/promtool"

mkdir -p "$BIN_DIR"
install -m 0755 "$work/root/usr/bin/promtool" "$TARGET.tmp"
mv -f "$TARGET.tmp" "$TARGET"
works "$TARGET" || fail "$TARGET does not run ($TARGET --version failed)"
echo "   $("$TARGET" --version 2>&1 | head -n 1)"
