#!/usr/bin/env bash
# Data-plane benchmark: new TCP connections per second and bulk TCP throughput through the LAST
# of N forwards (N = 1, 1,000, 10,000), for each kernel backend, plus two baselines measured in the
# same rounds: plain routing through the gateway without NAT, and a direct link client <-> backend.
#
# Everything runs inside three network namespaces this script creates and always deletes
# (client -- gateway -- backend, the reference topology of DESIGN.md, on documentation addresses).
# Every load is bounded: wrk and iperf3 run for DURATION seconds under `timeout`.
#
# Needs root, the built jar (mvn -B package), and Debian's wrk, nginx-light, iperf3, conntrack,
# gnuplot-nox (for the plot). Usage: sudo bench/dataplane/run.sh [OUTDIR]
# PREVIOUS_JAR=path/portfwd.jar adds kind nftables-previous: that build's ruleset in the same rounds.
# MINIMAL=1 also measures a minimal nftables map ruleset (kind nftmap) in every round and prints
# portfwd's nftables ruleset as a ratio to it: SIZES="1 10000" BACKENDS=nftables MINIMAL=1 REPEATS=6
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=${1:-bench/dataplane}
DURATION=${DURATION:-4}         # seconds per load run
REPEATS=${REPEATS:-5}           # interleaved connection-rate rounds per N; the median is kept
SIZES=${SIZES:-"1 1000 10000"}
BACKENDS=${BACKENDS:-"nftables iptables-nft iptables-legacy"}
JAR=${JAR:-target/portfwd.jar}

for tool in wrk nginx iperf3 conntrack java ip; do
  command -v "$tool" >/dev/null || { echo "dataplane: $tool is missing (apt-get install wrk nginx-light iperf3 conntrack)" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "dataplane: needs root (network namespaces)" >&2; exit 1; }
[[ -f $JAR ]] || { echo "dataplane: $JAR is missing; run 'mvn -B package' first" >&2; exit 1; }

ID=pfdp$$
C=$ID-client G=$ID-gateway B=$ID-backend
WORK=$(mktemp -d /tmp/$ID.XXXX)
# What the benchmark applies in its namespace is no state of this host: keep it out of /var/lib/portfwd.
export PORTFWD_STATE_DIR="$WORK/state"
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

# --- topology ----------------------------------------------------------------------------------
for ns in $C $G $B; do ip netns add "$ns"; nsx "$ns" ip link set lo up; done
ip link add wan netns $G type veth peer name eth0 netns $C
ip link add vpn netns $G type veth peer name eth0 netns $B
ip link add d0 netns $C type veth peer name d0 netns $B       # the direct link (baseline)
nsx $G sh -c 'ip link set wan up && ip link set vpn up && ip addr add 203.0.113.1/24 dev wan && ip addr add 192.0.2.1/24 dev vpn && sysctl -qw net.ipv4.ip_forward=1'
nsx $C sh -c 'ip link set eth0 up && ip link set d0 up && ip addr add 203.0.113.10/24 dev eth0 && ip addr add 198.51.100.130/25 dev d0 && ip route add default via 203.0.113.1'
nsx $C sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
# The backend's default route is a dead end, as in the reference topology: without masquerade
# replies would be lost. The routing baseline adds a route back through the gateway for its run.
nsx $B sh -c 'ip link set eth0 up && ip link set d0 up && ip addr add 192.0.2.2/24 dev eth0 && ip addr add 198.51.100.131/25 dev d0'
nsx $B sh -c 'ip link add uplink type veth peer name uplink-peer && ip link set uplink up && ip link set uplink-peer up'
nsx $B sh -c 'ip addr add 198.51.100.2/25 dev uplink && ip route add default via 198.51.100.1'

# --- servers in the backend --------------------------------------------------------------------
# nginx hands its temporary folders to its worker user (nobody): a folder of their own, so the work
# folder that holds portfwd's state directory stays root's (portfwd refuses a state directory in a
# folder another user owns).
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
  server { listen 80 backlog=8192; location / { return 200 "ok\n"; } }
}
NGINX
nsx $B nginx -c "$WORK/nginx.conf" & PIDS+=($!)
nsx $B iperf3 -s -p 5201 >/dev/null 2>&1 & PIDS+=($!)
for _ in $(seq 50); do nsx $B ss -Htln 'sport = :80' | grep -q . && nsx $B ss -Htln 'sport = :5201' | grep -q . && break; sleep 0.1; done

# --- measurements ------------------------------------------------------------------------------
# The machine is shared, so its load drifts: each round measures every backend and both baselines
# one after another (interleaved), and the median over REPEATS rounds is kept per point.

# New connections per second, one wrk run: "Connection: close" makes every request a new TCP connection.
conn_rate() {
  nsx $G conntrack -F >/dev/null 2>&1 || true
  local r
  r=$(nsx $C timeout $((DURATION + 10)) wrk -t1 -c32 -d"${DURATION}s" -H 'Connection: close' "$1" 2>&1 \
    | awk '/Requests\/sec/ {print $2}')
  echo "${r:-0}"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Bulk TCP throughput in Gbit/s received by the backend, one stream.
throughput() {
  local host=$1 port=$2
  nsx $G conntrack -F >/dev/null 2>&1 || true
  nsx $C timeout $((DURATION + 15)) iperf3 -c "$host" -p "$port" -t "$DURATION" -J 2>/dev/null \
    | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' \
    || echo 0
}

portfwd() { nsx $G java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR" "$@" >/dev/null; }

# N forwards, ports 20000.. ; the last one goes to PORT on the backend (80 for nginx, 5201 for iperf3).
table() {
  local n=$1 port=$2
  awk -v n="$n" -v port="$port" 'BEGIN { for (i = 0; i < n; i++) printf "%d 192.0.2.2 %d tcp # forward %d\n", 20000 + i, (i == n - 1 ? port : 80), i }'
}

# The least an nftables gateway can do for the same table: one DNAT map keyed on protocol and port,
# masquerade for what it translated, no counting (the "minimal map ruleset" portfwd is measured
# against: MINIMAL=1 adds it as kind nftmap and prints portfwd's ratio to it per round).
minimal_map() {
  echo 'table ip pfminimal {'
  echo '  map fwd4 { type inet_proto . inet_service : ipv4_addr . inet_service; elements = {'
  awk '{ printf "    tcp . %s : %s . %s,\n", $1, $2, $3 }' "$1"
  echo '  } }'
  echo '  chain pre { type nat hook prerouting priority dstnat; dnat to meta l4proto . th dport map @fwd4; }'
  echo '  chain post { type nat hook postrouting priority srcnat; ct status dnat masquerade; }'
  echo '}'
}

settled() { sync; sleep 1; "$@"; }
# Deletes the rules of portfwd's CHAIN that the awk PATTERN matches (an ablation); none matching
# is an error, so a renamed rule cannot turn an ablation into a second run of the ruleset as is.
drop_rules() {
  local handles
  handles=$(nsx $G nft -a list chain inet portfwd "$1" | awk "$2 {print \$NF}")
  [[ -n $handles ]] || { echo "dataplane: no rule of chain $1 matches $2" >&2; exit 1; }
  for h in $handles; do nsx $G nft delete rule inet portfwd "$1" handle "$h"; done
}
url_rate() { conn_rate "http://$2:$1/"; }
host_throughput() { throughput "$2" "$1"; }

# Runs "$2 …" with KIND's path set up: a baseline needs no forwards (routing: a route back added
# to the backend for the run); a backend gets TABLE applied first and removed after.
through() {
  local kind=$1 table=$2; shift 2
  # Every kind's measurement starts after its set-up's writes reached the disk and a second of
  # quiet: an apply records its state (fsync'd), and the writeback must not fall into the
  # measurement of one kind and not of another.
  set -- settled "$@"
  case $kind in
    direct) "$@" 198.51.100.131 ;;
    routing) nsx $B ip route add 203.0.113.0/24 via 192.0.2.1; "$@" 192.0.2.2; nsx $B ip route del 203.0.113.0/24 via 192.0.2.1 ;;
    nftmap) minimal_map "$table" | nsx $G nft -f -; "$@" 203.0.113.1; nsx $G nft delete table ip pfminimal ;;
    nftmap-inet)
      # The minimal map in an inet table, as portfwd's is: what the table's family costs.
      minimal_map "$table" | sed 's/^table ip /table inet /; s/dnat to meta/meta nfproto ipv4 dnat ip to meta/' \
        | nsx $G nft -f -
      "$@" 203.0.113.1; nsx $G nft delete table inet pfminimal ;;
    nftables-nofilter)
      # portfwd's ruleset without its two filter base chains (count, forward): what they cost.
      portfwd apply --no-sysctl --backend nftables "$table"
      for chain in count forward; do
        nsx $G nft flush chain inet portfwd $chain; nsx $G nft delete chain inet portfwd $chain
      done
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-nocount)
      # portfwd's ruleset without its per-packet counting rule: what the counting costs.
      portfwd apply --no-sysctl --backend nftables "$table"
      drop_rules count '/jump count4/'
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-nosnat)
      # portfwd's ruleset without the snat map lookups in postrouting: what they cost when unused.
      portfwd apply --no-sysctl --backend nftables "$table"
      drop_rules postrouting '/ snat /'
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-fwdcount)
      # portfwd's ruleset with its count rule moved into the forward chain: one filter hook less
      # per forwarded packet.
      portfwd apply --no-sysctl --backend nftables "$table"
      rule=$(nsx $G nft list chain inet portfwd count | grep 'jump count4')
      nsx $G nft flush chain inet portfwd count; nsx $G nft delete chain inet portfwd count
      nsx $G nft insert rule inet portfwd forward "$rule"
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-leancount)
      # portfwd's ruleset with the count rule's protocol check left out (the lookup's key holds
      # the protocol): what that check costs per packet.
      portfwd apply --no-sysctl --backend nftables "$table"
      h=$(nsx $G nft -a list chain inet portfwd count | awk '/jump count4/ {print $NF}')
      nsx $G nft replace rule inet portfwd count handle "$h" \
        ct direction original ct status dnat meta nfproto vmap '{ ipv4 : jump count4, ipv6 : jump count6 }'
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-inlinecount)
      # portfwd's ruleset with the count lookup in the base chain itself (no protocol check, no
      # jump): the least a per-packet count in a filter chain can cost.
      portfwd apply --no-sysctl --backend nftables "$table"
      h=$(nsx $G nft -a list chain inet portfwd count | awk '/jump count4/ {print $NF}')
      nsx $G nft replace rule inet portfwd count handle "$h" \
        ct direction original ct status dnat meta nfproto ipv4 meta l4proto . th dport @dnat4
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-nofib)
      # portfwd's ruleset without the fib check of address-less forwards (which keeps them from
      # translating connections that pass through to other hosts): what that lookup costs.
      portfwd apply --no-sysctl --backend nftables "$table"
      h=$(nsx $G nft -a list chain inet portfwd translate4 | awk '/fib daddr type local/ {print $NF}')
      nsx $G nft replace rule inet portfwd translate4 handle "$h" jump translate4_local
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-onepost)
      # portfwd's ruleset with postrouting cut to its IPv4 masquerade rule: what the other three
      # (snat maps, IPv6) cost.
      portfwd apply --no-sysctl --backend nftables "$table"
      drop_rules postrouting '/ct status dnat/ && !/@masq4 /'
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-noforward)
      # portfwd's ruleset without its forward chain: what that hook costs.
      portfwd apply --no-sysctl --backend nftables "$table"
      nsx $G nft flush chain inet portfwd forward; nsx $G nft delete chain inet portfwd forward
      "$@" 203.0.113.1; portfwd remove --backend nftables ;;
    nftables-previous)
      # The same ruleset from another build (PREVIOUS_JAR): an interleaved A/B of a ruleset change.
      JAR=$PREVIOUS_JAR portfwd apply --no-sysctl --backend nftables "$table"
      "$@" 203.0.113.1; JAR=$PREVIOUS_JAR portfwd remove --backend nftables ;;
    *) portfwd apply --no-sysctl --backend "$kind" "$table"; "$@" 203.0.113.1; portfwd remove --backend "$kind" ;;
  esac
}

mkdir -p "$OUT"
CSV="$OUT/results.csv"
echo "kind,backend,forwards,connections_per_s,throughput_gbit_s" > "$CSV"
# KINDS="nftables nftmap nftables-nocount nftables-nofilter nftables-nosnat nftables-noforward
# nftables-fwdcount nftables-nofib nftables-onepost nftables-leancount nftables-inlinecount
# nftmap-inet" chooses them (ablation).
KINDS=${KINDS:-"direct routing $BACKENDS${MINIMAL:+ nftmap}${NOCOUNT:+ nftables-nocount}${PREVIOUS_JAR:+ nftables-previous}"}
for n in $SIZES; do
  last=$((20000 + n - 1))
  table "$n" 80 > "$WORK/http.txt"
  table "$n" 5201 > "$WORK/iperf.txt"
  declare -A rates=()
  read -r -a kinds <<< "$KINDS"
  for round in $(seq "$REPEATS"); do
    # The order rotates per round, so no kind always runs after the same one (conntrack's
    # TIME_WAIT entries and the caches an apply leaves behind fall on each in turn).
    for i in "${!kinds[@]}"; do
      kind=${kinds[$(( (i + round) % ${#kinds[@]} ))]}
      port=$([[ $kind == direct || $kind == routing ]] && echo 80 || echo "$last")
      rate=$(through "$kind" "$WORK/http.txt" url_rate "$port")
      rates[$kind]+=" $rate"
      echo "  N=$n round $round $kind: $rate conn/s" >&2
    done
  done
  if [[ -n ${MINIMAL:-} && " $BACKENDS " == *" nftables "* ]]; then
    for kind in nftables nftables-previous nftables-nocount nftables-nofilter nftables-nosnat nftables-noforward nftables-fwdcount nftables-nofib nftables-onepost nftables-leancount nftables-inlinecount; do
      [[ " $KINDS " == *" $kind "* ]] || continue
      # shellcheck disable=SC2086
      python3 -c 'import sys, statistics
a = [float(x) for x in sys.argv[3].split()]; b = [float(x) for x in sys.argv[4].split()]
r = [x / y for x, y in zip(a, b) if y > 0]
print("N=%s portfwd %s / minimal map, per round: %s; median %.3f" % (sys.argv[1], sys.argv[2], " ".join("%.2f" % x for x in r), statistics.median(r)))' \
        "$n" "$kind" "${rates[$kind]}" "${rates[nftmap]}" | tee -a "$OUT/ratio-to-minimal-map.txt"
    done
  fi
  for kind in $KINDS; do
    port=$([[ $kind == direct || $kind == routing ]] && echo 5201 || echo "$last")
    gbit=$(through "$kind" "$WORK/iperf.txt" host_throughput "$port")
    row=$([[ $kind == direct || $kind == routing ]] && echo baseline || echo forward)
    # shellcheck disable=SC2086
    echo "$row,$kind,$n,$(median ${rates[$kind]}),$gbit" | tee -a "$CSV"
  done
  unset rates
done

# --- machine and plot --------------------------------------------------------------------------
{
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)"
  echo "kernel: $(uname -r)"
  echo "tools: $(iptables --version), $(iptables-legacy --version | cut -d' ' -f2), nft $(nft --version | cut -d' ' -f2), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), iperf3 $(iperf3 --version | head -1 | cut -d' ' -f2)"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

if command -v gnuplot >/dev/null; then
  gnuplot -e "csv='$CSV'; out='$OUT/connections.png'" bench/dataplane/plot.gp
  echo "plot: $OUT/connections.png"
fi
