#!/usr/bin/env bash
# Start or stop a three-member etcd cluster on loopback for the tests.
#
#   .ci/etcd-cluster.sh start DIR   # members' data, logs, pids and restart
#                                   # commands in DIR; prints the endpoints
#   .ci/etcd-cluster.sh stop DIR    # kills the members started in DIR
#
# Client ports 23791-23793, peer ports 23801-23803. The limits are raised
# for the conformance suite, which writes thousands of keys in one
# transaction; authctl is told the same limits (AUTHCTL_ETCD_MAX_*).
# DIR/member-N.cmd restarts member N (the fault test kills and restarts
# the leader with it); DIR/member-N.pid holds its pid.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?directory}
etcd=${ETCD:-etcd}

case $cmd in
start)
  mkdir -p "$dir"
  cluster=""
  for i in 1 2 3; do
    cluster+="${cluster:+,}m$i=http://127.0.0.1:2380$i"
  done
  for i in 1 2 3; do
    cat >"$dir/member-$i.cmd" <<CMD
exec $etcd --name m$i --data-dir "$dir/m$i" \
  --listen-client-urls http://127.0.0.1:2379$i --advertise-client-urls http://127.0.0.1:2379$i \
  --listen-peer-urls http://127.0.0.1:2380$i --initial-advertise-peer-urls http://127.0.0.1:2380$i \
  --initial-cluster $cluster --initial-cluster-state new --initial-cluster-token authctl-ci \
  --max-txn-ops 100000 --max-request-bytes 67108864 \
  --heartbeat-interval 100 --election-timeout 3000 >>"$dir/m$i.log" 2>&1
CMD
    setsid bash "$dir/member-$i.cmd" </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/member-$i.pid"
  done
  for i in 1 2 3; do
    for _ in $(seq 200); do
      if curl -sf "http://127.0.0.1:2379$i/health" >/dev/null 2>&1; then break; fi
      sleep 0.1
    done
    curl -sf "http://127.0.0.1:2379$i/health" >/dev/null || { echo "etcd member m$i did not become healthy; see $dir/m$i.log" >&2; exit 1; }
  done
  echo "127.0.0.1:23791,127.0.0.1:23792,127.0.0.1:23793"
  ;;
stop)
  for f in "$dir"/member-*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
  done
  for f in "$dir"/member-*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
