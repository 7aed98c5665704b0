#!/usr/bin/env bash
# etcd.sh: the figures of the etcd section of docs/performance.md, in one
# run on one machine.
#
#   bash bench/etcd.sh [BASE]     # BASE: the commit before the etcd client
#                                 # was linked (default 11fb83c)
#
#   1. "authctl check" on a bbolt file, built at BASE and at the working
#      tree (both as releases are built), interleaved (timing.sh);
#   2. against a local single-member etcd (Debian's etcd, fsync on, on
#      loopback ports 23990/24000, data in a temporary directory): "check"
#      and "user create --password-hash" as processes, and the etcd
#      requests each makes (from the server's gRPC counters);
#   3. apply of 10,000 users with pre-made hashes, --batch-size 20 (etcd's
#      default limits), once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
base=${1:-11fb83c}
RUNS=${RUNS:-200}
ROUNDS=${ROUNDS:-5}
# shellcheck source=bench/timing.sh
. "$here/timing.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/authctl-etcd.XXXXXX")
etcd_pid=
cleanup() {
  if [ -n "$etcd_pid" ]; then kill "$etcd_pid" 2>/dev/null || true; wait "$etcd_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

build() { (cd "$1" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$2" .); }
mkdir -p "$work/base"
(cd "$root" && git archive "$base") | tar -xf - -C "$work/base"
build "$work/base" "$work/authctl-base"
build "$root" "$work/authctl"
echo "binary sizes: base $(stat -c %s "$work/authctl-base") B, with the etcd client $(stat -c %s "$work/authctl") B"

export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_STATE_HOME=$work/home/.state
export AUTHCTL_HASHER_ALGORITHM=pbkdf2_sha256 AUTHCTL_HASHER_PBKDF2_ITERATIONS=1000 SUDO_USER=bench
mkdir -p "$HOME"
hash=$(printf 'pw\n' | "$work/authctl" password hash --password-stdin 2>/dev/null || true)
if [ -z "$hash" ]; then hash='pbkdf2_sha256$1000$c2FsdHNhbHQ$e0JxVsq3yo8OQnF6kXZ0dOm2kR9mbFiMFxSPXqvDzh4='; fi

# 1. check on a bbolt file, before and after linking the client.
export AUTHCTL_DB=$work/auth.db
"$work/authctl" user create alice --password-hash "$hash" >/dev/null 2>&1
"$work/authctl" perm grant blog.view_post --user alice --create >/dev/null 2>&1
time_rounds "$ROUNDS" \
  bolt-check-base "$RUNS" "$(printf '%q ' "$work/authctl-base" check blog.view_post --user alice)" \
  bolt-check-etcd-linked "$RUNS" "$(printf '%q ' "$work/authctl" check blog.view_post --user alice)"

# 2. A local single-member etcd.
etcd --name bench --data-dir "$work/etcd" \
  --listen-client-urls http://127.0.0.1:23990 --advertise-client-urls http://127.0.0.1:23990 \
  --listen-peer-urls http://127.0.0.1:24000 --initial-advertise-peer-urls http://127.0.0.1:24000 \
  --initial-cluster bench=http://127.0.0.1:24000 >"$work/etcd.log" 2>&1 &
etcd_pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:23990/health >/dev/null 2>&1 && break; sleep 0.1; done
export AUTHCTL_DB=etcd://127.0.0.1:23990/bench/
"$work/authctl" user create alice --password-hash "$hash" >/dev/null
"$work/authctl" perm grant blog.view_post --user alice --create >/dev/null

# Requests per command, from the server's counters.
rpcs() { curl -s http://127.0.0.1:23990/metrics | awk '/^grpc_server_handled_total/ && /grpc_type="unary"/ {n += $2} END {print n}'; }
count() {
  local before after
  before=$(rpcs)
  "$@" >/dev/null 2>&1
  after=$(rpcs)
  echo $((after - before))
}
echo "etcd requests: check $(count "$work/authctl" check blog.view_post --user alice)," \
  "user create --password-hash $(count "$work/authctl" user create bob --password-hash "$hash")"

cat >"$work/create.sh" <<SH
#!/usr/bin/env bash
exec "$work/authctl" user create "u\$RANDOM\$RANDOM\$RANDOM" --password-hash '$hash'
SH
chmod +x "$work/create.sh"
time_rounds "$ROUNDS" \
  etcd-check "$RUNS" "$(printf '%q ' "$work/authctl" check blog.view_post --user alice)" \
  etcd-user-create "$RUNS" "$(printf '%q ' "$work/create.sh")"

# 3. apply of 10,000 users with pre-made hashes.
{
  echo "users:"
  for i in $(seq 10000); do printf '  - username: seed%05d\n    password_hash: %s\n' "$i" "$hash"; done
} >"$work/seed.yaml"
export AUTHCTL_DB=etcd://127.0.0.1:23990/apply/
before=$(rpcs)
s=$(date +%s.%N)
"$work/authctl" apply -f "$work/seed.yaml" --batch-size 20 2>/dev/null
e=$(date +%s.%N)
echo "RESULT etcd-apply-10000-batch-20 $(echo "($e - $s) * 1000" | bc | cut -d. -f1) ms ($(( $(rpcs) - before )) etcd requests)"
