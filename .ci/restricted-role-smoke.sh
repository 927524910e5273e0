#!/usr/bin/env bash
# The server on PostgreSQL as a role that owns nothing: migrations and the demo city as the owner
# role, then the auditor verifies the keyed chain over HTTP and downloads the checkpoints.
set -euo pipefail
: "${APP_DATABASE_URL:?}" "${OWNER_DATABASE_URL:?}"
data_dir=$(mktemp -d)
port=${SMOKE_PORT:-18089}
log="$data_dir/server.log"
DATABASE_URL=$APP_DATABASE_URL MIGRATION_DATABASE_URL=$OWNER_DATABASE_URL DATA_DIR=$data_dir PORT=$port HOST=127.0.0.1 \
  NODE_ENV=development DEMO_SCALE=tiny AUDIT_HMAC_KEY=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))') AUDIT_CHECKPOINT_SECONDS=1 \
  node --import tsx server/main.ts >"$log" 2>&1 &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data_dir"; }
trap stop EXIT
for _ in $(seq 1 180); do curl -fs "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 1; kill -0 "$server" || { cat "$log"; exit 1; }; done
api="http://127.0.0.1:$port/api"
# Logs in as a demo user with its own cookie jar; prints the CSRF token writes must send.
log_in() {
  local answer
  answer=$(curl -sS -c "$data_dir/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"renwu-demo-$1\"}" "$api/auth/login")
  node -e 'const body = JSON.parse(process.argv[1]); if (!body.csrfToken) { console.error("login failed:", process.argv[1]); process.exit(1); } process.stdout.write(body.csrfToken)' "$answer" ||
    { tail -20 "$log"; exit 1; }
}
# Writes on the request path that do more than INSERT/UPDATE (TRUNCATE inside refresh_grid_stats, scoring runs).
admin_token=$(log_in admin)
month=$(date +%Y-%m)
for call in "heatmaps/refresh {}" "rentals/scores/run {\"from\":\"$month\",\"to\":\"$month\"}"; do
  curl -fsS -b "$data_dir/admin.jar" -H "X-CSRF-Token: $admin_token" -H 'Content-Type: application/json' -d "${call#* }" "$api/${call%% *}" >/dev/null ||
    { echo "POST /api/${call%% *} failed as the restricted role"; cat "$log"; exit 1; }
done
log_in auditor >/dev/null
jar="$data_dir/auditor.jar"
sleep 2
verify=$(curl -fs -b "$jar" "$api/audit/verify")
echo "verify: $verify"
echo "$verify" | grep -q '"ok":true' || { cat "$log"; exit 1; }
echo "$verify" | grep -q '"latest":{' || { echo "no checkpoint written"; cat "$log"; exit 1; }
curl -fs -b "$jar" "$api/audit/checkpoints" | head -c 300; echo
if grep -q 'owner of audit_log' "$log"; then echo "the server warned that it owns audit_log"; exit 1; fi
echo "restricted-role smoke: ok"
