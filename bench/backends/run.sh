#!/usr/bin/env bash
# Several backends per forward, data plane: new TCP connections per second through a two-backend
# balance=roundrobin forward and through a one-backend forward, both among 10,000 forwards in the
# same nftables table, measured interleaved in the same run (the machine is shared, its load drifts).
# Then failover: `portfwd watch --check-interval 1` keeps the same table plus a failover forward;
# the first backend's service is stopped FAILOVERS times, and the time from its death to the first
# new connection the second one serves is recorded (target: at most 3 x interval).
#
# Everything runs inside three network namespaces this script creates and always deletes (client --
# gateway -- backend, documentation addresses). The backend host carries both backend addresses
# (192.0.2.2 and 192.0.2.18) and one nginx: the kernel's choice is what is measured, not two hosts.
# Every load is bounded: wrk runs DURATION seconds under `timeout`.
#
# Needs root, the built jar (mvn -B package), Debian's wrk and nginx-light.
# Usage: sudo bench/backends/run.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=${1:-bench/backends}
DURATION=${DURATION:-4}
REPEATS=${REPEATS:-5}
FAILOVERS=${FAILOVERS:-3}
FORWARDS=${FORWARDS:-10000}
JAR=${JAR:-target/portfwd.jar}

for tool in wrk nginx java ip conntrack socat; do
  command -v "$tool" >/dev/null || { echo "backends: $tool is missing (apt-get install wrk nginx-light conntrack socat)" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "backends: needs root (network namespaces)" >&2; exit 1; }
[[ -f $JAR ]] || { echo "backends: $JAR is missing; run 'mvn -B package' first" >&2; exit 1; }

ID=pfbk$$
C=$ID-client G=$ID-gateway B=$ID-backend
WORK=$(mktemp -d /tmp/$ID.XXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ns in $C $G $B; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in $C $G $B; do ip netns add "$ns"; nsx "$ns" ip link set lo up; done
ip link add wan netns $G type veth peer name eth0 netns $C
ip link add vpn netns $G type veth peer name eth0 netns $B
nsx $G sh -c 'ip link set wan up && ip link set vpn up && ip addr add 203.0.113.1/24 dev wan && ip addr add 192.0.2.1/24 dev vpn && sysctl -qw net.ipv4.ip_forward=1'
nsx $C sh -c 'ip link set eth0 up && ip addr add 203.0.113.10/24 dev eth0 && ip route add default via 203.0.113.1'
nsx $C sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
nsx $B sh -c 'ip link set eth0 up && ip addr add 192.0.2.2/24 dev eth0 && ip addr add 192.0.2.18/24 dev eth0'

# nginx hands its temporary directories to its worker's user: keep them out of the state's parent.
mkdir "$WORK/nginx"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 80 backlog=8192; location / { return 200 "\$server_addr\n"; } }
}
NGINX
nsx $B nginx -c "$WORK/nginx.conf" & PIDS+=($!)
for _ in $(seq 50); do nsx $B ss -Htln 'sport = :80' | grep -q . && break; sleep 0.1; done

# FORWARDS forwards on ports 20000..: all one-backend but the last, which spreads over both.
ONE=$((20000 + FORWARDS - 2))
TWO=$((20000 + FORWARDS - 1))
awk -v n="$FORWARDS" 'BEGIN { for (i = 0; i < n - 1; i++) printf "%d 192.0.2.2 80 tcp # forward %d\n", 20000 + i, i;
  printf "%d 192.0.2.2,192.0.2.18 80 tcp balance=roundrobin # spread\n", 20000 + n - 1 }' > "$WORK/table.txt"
nsx $G java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR" apply --no-sysctl \
  --state-dir "$WORK/state" "$WORK/table.txt" >/dev/null

conn_rate() {
  nsx $G conntrack -F >/dev/null 2>&1 || true
  local r
  r=$(nsx $C timeout $((DURATION + 10)) wrk -t1 -c32 -d"${DURATION}s" -H 'Connection: close' "http://203.0.113.1:$1/" 2>&1 \
    | awk '/Requests\/sec/ {print $2}')
  echo "${r:-0}"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Both backends answer: count who served 100 new connections.
spread=$(for _ in $(seq 100); do nsx $C timeout 3 wget -qO- "http://203.0.113.1:$TWO/" 2>/dev/null || echo none; done | sort | uniq -c | xargs)
echo "who served 100 connections through the spread forward: $spread" >&2

ones=() twos=()
for round in $(seq "$REPEATS"); do
  a=$(conn_rate $ONE); b=$(conn_rate $TWO)
  ones+=("$a"); twos+=("$b")
  echo "  round $round: one backend $a conn/s, two backends (roundrobin) $b conn/s" >&2
done
m1=$(median "${ones[@]}"); m2=$(median "${twos[@]}")
ratio=$(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')

# Failover: one service per backend address on 8080, each answering its name.
# Not through nsx: a function run in the background is a subshell, and $! would name it, not socat.
serve_8080() { ip netns exec $B socat "TCP4-LISTEN:8080,bind=$1,fork,reuseaddr" "SYSTEM:echo $2" & PIDS+=($!); LAST=$!; }
first_answer() { nsx $C timeout 2 socat -T1 -u TCP4:203.0.113.1:30000,connect-timeout=1 - 2>/dev/null || echo none; }
await_answer() { # $1: the name; bounded to 30 s
  for _ in $(seq 600); do [[ $(first_answer) == "$1" ]] && return 0; sleep 0.05; done
  echo "backends: no answer from $1 within 30 s; the last answer: $(first_answer)" >&2
  [[ -f $WORK/watch.log ]] && tail -n 20 "$WORK/watch.log" >&2
  return 1
}
serve_8080 192.0.2.2 one; ONE_PID=$LAST
serve_8080 192.0.2.18 two
cp "$WORK/table.txt" "$WORK/failover.txt"
echo "30000 192.0.2.2,192.0.2.18 8080 tcp balance=failover # failover" >> "$WORK/failover.txt"
nsx $G java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR" watch --no-control --no-sysctl \
  --check-interval 1 --state-dir "$WORK/state" "$WORK/failover.txt" > "$WORK/watch.log" 2>&1 & PIDS+=($!)
await_answer one
failovers=()
for round in $(seq "$FAILOVERS"); do
  kill "$ONE_PID"; wait "$ONE_PID" 2>/dev/null || true
  t0=$(date +%s.%N); await_answer two; t1=$(date +%s.%N)
  f=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  failovers+=("$f")
  echo "  failover $round: the second backend served $f s after the first one's service stopped" >&2
  serve_8080 192.0.2.2 one; ONE_PID=$LAST
  await_answer one
done

mkdir -p "$OUT"
{
  echo "forwards,one_backend_conn_s,two_backends_roundrobin_conn_s,ratio"
  echo "$FORWARDS,$m1,$m2,$ratio"
} | tee "$OUT/results.csv"
{
  echo "check_interval_s,failover_s"
  for f in "${failovers[@]}"; do echo "1,$f"; done
} | tee "$OUT/failover.csv"
{
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)"
  echo "kernel: $(uname -r), nft $(nft --version | cut -d' ' -f2)"
  echo "spread of 100 connections: $spread"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"
