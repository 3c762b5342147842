#!/usr/bin/env bash
# Create the secret files of the Compose stack (deploy/compose/secrets/README.md) with fresh
# random passwords. Idempotent: a file that exists is kept, so a second run never changes a
# password the running PostgreSQL already uses.
set -euo pipefail

DIR="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$DIR"
chmod 0700 "$DIR"

random_hex() {
  # 24 random bytes as 48 hexadecimal characters: URL-safe without escaping
  od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
}

write_secret() {
  local name="$1" value="$2"
  if [ -s "$DIR/$name" ]; then
    echo "kept    secrets/$name"
    return
  fi
  (umask 077 && printf '%s' "$value" >"$DIR/$name")
  # read by the containers' non-root users through a bind mount: see the README
  chmod 0644 "$DIR/$name"
  echo "created secrets/$name"
}

if [ -s "$DIR/postgres_password.txt" ]; then
  password="$(cat "$DIR/postgres_password.txt")"
else
  password="$(random_hex)"
fi
write_secret postgres_password.txt "$password"
write_secret database_url.txt "postgresql+psycopg://mimir:${password}@postgres:5432/mimir"
write_secret grafana_admin_password.txt "$(random_hex)"
