#!/usr/bin/env bash
# Relay benchmark: the same client -> gateway -> backend path in fresh network namespaces, through
#   portfwd relay, HAProxy (tcp mode), socat, rinetd and kernel DNAT (nft, inside the gateway ns).
# Measures bulk TCP throughput (iperf3), new TCP connections per second (one sequential client,
# and PAR_CLIENTS (16) at once),
# UDP packets per second (iperf3 -u, 64-byte datagrams) and resident memory with ~10,000 idle
# connections, sampled IDLE_WAIT seconds (default 10) after they are open: at rest, after the JIT's
# compilations of the connection path (whose memory a sample taken at once catches). Every load is
# bounded in time. Needs root; touches only its own namespaces.
#
#   bench/relay/run.sh [SECONDS-PER-MEASUREMENT]      (default 5)
#   PORTFWD_JAVA_OPTS="-XX:+UseSerialGC" bench/relay/run.sh   # JVM flags for the relay; by default
#                                        the ones bin/portfwd relay and portfwd-relay.service use
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
secs=${1:-5}
idle_conns=${IDLE_CONNS:-9900}   # the hard fd limit here is 20,000: 2 sockets per relayed connection

need=()
for p in iperf3 haproxy rinetd socat nftables python3; do
  command -v "${p/nftables/nft}" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[[ -f target/portfwd.jar && -d target/test-classes ]] || mvn -B -q -DskipTests package
java=$(command -v java)
if [[ -z ${PORTFWD_JAVA_OPTS+set} ]]; then
  PORTFWD_JAVA_OPTS=$(sed -n 's/^relay_flags=(\(.*\))$/\1/p' bin/portfwd)
fi
tool=("$java" -XX:+UseSerialGC -cp "target/test-classes:target/portfwd.jar" dev.portfwd.relay.RelayTestTool)

id="pfb$$"
C=$id-client; G=$id-gateway; B=$id-backend
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for ns in $C $G $B; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
for ns in $C $G $B; do ip netns add "$ns"; inns "$ns" ip link set lo up; done
ip link add wan-c netns $C type veth peer name wan netns $G
ip link add vpn netns $G type veth peer name vpn-b netns $B
inns $C sh -c 'ip addr add 203.0.113.10/24 dev wan-c && ip link set wan-c up && ip route add default via 203.0.113.1'
inns $G sh -c 'ip addr add 203.0.113.1/24 dev wan && ip link set wan up && ip addr add 192.0.2.1/24 dev vpn && ip link set vpn up'
inns $B sh -c 'ip addr add 192.0.2.2/24 dev vpn-b && ip link set vpn-b up'
# Only inside the test namespaces: forwarding for DNAT, TIME_WAIT reuse and a wide port range for
# the connection-rate runs (each relay opens a new backend connection per client connection).
inns $G sysctl -qw net.ipv4.ip_forward=1 net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65000"
inns $C sysctl -qw net.ipv4.ip_local_port_range="10000 65000"

# Backends: iperf3 on 5201, an echo server on 7000 (TCP and UDP).
inns $B iperf3 -s -p 5201 >/dev/null 2>&1 & pids+=($!)
inns $B "${tool[@]}" echo 7000 >/dev/null 2>&1 & pids+=($!)

# Gateway ports per contender: 6xxx -> iperf3, 7xxx -> echo.
#   1 portfwd relay (epoll)   2 haproxy   3 socat   4 rinetd   5 kernel DNAT   6 portfwd relay (nio)
cat > "$work/ports.txt" <<T
6001 192.0.2.2 5201 tcp,udp
7001 192.0.2.2 7000 tcp
T
# One client address opens all $idle_conns idle connections: no per-source limit.
inns $G sh -c "exec $java ${PORTFWD_JAVA_OPTS:-} -jar target/portfwd.jar relay --max-connections-per-source 0 $work/ports.txt 2>$work/relay.log" & pids+=($!)
relay_pid=$!
# The same relay on the NIO transport, for comparison (6006/7006).
cat > "$work/ports-nio.txt" <<T
6006 192.0.2.2 5201 tcp,udp
7006 192.0.2.2 7000 tcp
T
inns $G sh -c "exec $java ${PORTFWD_JAVA_OPTS:-} -jar target/portfwd.jar relay --transport nio --max-connections-per-source 0 $work/ports-nio.txt 2>$work/relay-nio.log" & pids+=($!)

cat > "$work/haproxy.cfg" <<T
global
  maxconn $((idle_conns + 50))
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen iperf
  bind 203.0.113.1:6002
  server b 192.0.2.2:5201
listen echo
  bind 203.0.113.1:7002
  server b 192.0.2.2:7000
T
inns $G haproxy -f "$work/haproxy.cfg" -db >/dev/null 2>&1 & pids+=($!)
haproxy_pid=$!

inns $G socat TCP-LISTEN:6003,fork,reuseaddr,backlog=4096 TCP:192.0.2.2:5201 & pids+=($!)
inns $G socat UDP-LISTEN:6003,fork,reuseaddr UDP:192.0.2.2:5201 & pids+=($!)
inns $G socat TCP-LISTEN:7003,fork,reuseaddr,backlog=4096 TCP:192.0.2.2:7000 & pids+=($!)

cat > "$work/rinetd.conf" <<T
0.0.0.0 6004 192.0.2.2 5201
0.0.0.0 6004/udp 192.0.2.2 5201/udp
0.0.0.0 7004 192.0.2.2 7000
T
inns $G rinetd -f -c "$work/rinetd.conf" & pids+=($!)
rinetd_pid=$!

inns $G nft -f - <<'T'
table inet pfbench {
  chain pre {
    type nat hook prerouting priority dstnat;
    ip daddr 203.0.113.1 meta l4proto { tcp, udp } th dport 6005 dnat ip to 192.0.2.2:5201
    ip daddr 203.0.113.1 tcp dport 7005 dnat ip to 192.0.2.2:7000
  }
  chain post {
    type nat hook postrouting priority srcnat;
    ct status dnat masquerade
  }
}
T

for port in 6001 7001 6006 7006 6002 7002 6003 7003 6004 7004; do
  for _ in $(seq 200); do
    inns $G ss -Htln "sport = :$port" | grep -q . && break
    sleep 0.1
  done
done
inns $B ss -Htln "sport = :7000" | grep -q . || sleep 2

names=([1]="portfwd relay" [2]="haproxy (tcp)" [3]="socat" [4]="rinetd" [5]="kernel DNAT" [6]="portfwd (nio)")
py() { python3 -c "$1"; }

throughput() { # PORT -> Gbit/s received
  inns $C timeout $((secs + 15)) iperf3 -c 203.0.113.1 -p "$1" -t "$secs" -J 2>/dev/null \
    | py 'import json,sys; d=json.load(sys.stdin); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' \
    || echo "fail"
}
udp_pps() { # PORT -> received datagrams per second
  inns $C timeout $((secs + 15)) iperf3 -c 203.0.113.1 -p "$1" -u -b 0 -l 64 -t "$secs" -J 2>/dev/null \
    | py 'import json,sys; d=json.load(sys.stdin)["end"]["sum"]; r=(d["packets"]-d["lost_packets"])/d["seconds"]; print("%.0f" % r if 0 <= d["lost_packets"] <= d["packets"] else "fail")' \
    || echo "fail"
}
conn_rate() { # PORT -> connections per second, one sequential client
  local out
  out=$(inns $C timeout $((secs + 30)) "${tool[@]}" sequential 203.0.113.1 "$1" 100000000 "$secs" 2>/dev/null) || true
  [[ $out =~ done=([0-9]+)\ failed=([0-9]+) ]] && echo $(( BASH_REMATCH[1] / secs )) || echo "fail"
}
conn_par_rate() { # PORT -> connections per second, PAR_CLIENTS (16) sequential clients at once
  local out
  out=$(inns $C timeout $((secs + 30)) "${tool[@]}" parallel 203.0.113.1 "$1" "${PAR_CLIENTS:-16}" "$secs" 2>/dev/null) || true
  [[ $out =~ done=([0-9]+)\ failed=([0-9]+) ]] && echo $(( BASH_REMATCH[1] / secs )) || echo "fail"
}
rss_idle() { # PORT PID -> MB RSS of PID and its children with $idle_conns idle connections open
  local port=$1 pid=$2 out="$work/idle.$1"
  # Not through inns (a function: & would fork a shell): ip execs timeout, so $! can end it.
  ip netns exec $C timeout 150 "${tool[@]}" concurrent 203.0.113.1 "$port" "$idle_conns" 90 20 > "$out" 2>/dev/null &
  local client=$!
  for _ in $(seq 900); do grep -q echoed "$out" 2>/dev/null && break; sleep 0.1; done
  sleep "${IDLE_WAIT:-10}"
  local kb=0
  for p in $pid $(pgrep -P "$pid" || true); do
    kb=$((kb + $(awk '/VmRSS/{print $2}' /proc/"$p"/status 2>/dev/null || echo 0)))
  done
  local got; got=$(grep -o 'open=[0-9]*' "$out" || echo "open=?")
  kill "$client" 2>/dev/null || true; wait "$client" 2>/dev/null || true
  echo "$((kb / 1024)) MB ($got)"
}

echo "machine: $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r), $($java -version 2>&1 | head -1)"
echo "relay transport: $(grep -o 'with the [a-z]* transport' "$work/relay.log" || echo '?'); JVM flags: ${PORTFWD_JAVA_OPTS:-none}; ${secs}s per measurement; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-14s | %10s | %12s | %15s | %14s |\n' "path" "TCP Gbit/s" "new conn/s" "16 clients: /s" "UDP pps (64 B)"
printf '| %-14s | %10s | %12s | %15s | %14s |\n' "---" "---" "---" "---" "---"
for i in 1 6 2 3 4 5; do
  # Warm-up, not measured: the JVM compiles each of the relay's paths (connections, bulk TCP,
  # datagrams) once it has carried enough traffic, and with C2 alone (the shipped flags) the
  # connection path takes longer than 5 s of one client to get there (bench/RESULTS.md).
  inns $C timeout 40 "${tool[@]}" sequential 203.0.113.1 700$i 100000000 15 >/dev/null 2>&1 || true
  inns $C timeout 20 iperf3 -c 203.0.113.1 -p 600$i -t 3 >/dev/null 2>&1 || true
  [[ $i == 2 ]] || inns $C timeout 20 iperf3 -c 203.0.113.1 -p 600$i -u -b 0 -l 64 -t 3 >/dev/null 2>&1 || true
  t=$(throughput 600$i)
  c=$(conn_rate 700$i)
  cp=$(conn_par_rate 700$i)
  if [[ $i == 2 ]]; then u="n/a (tcp only)"; else u=$(udp_pps 600$i); fi
  printf '| %-14s | %10s | %12s | %15s | %14s |\n' "${names[$i]}" "$t" "$c" "$cp" "$u"
done
echo
echo "resident memory with $idle_conns idle relayed connections:"
echo "  portfwd relay: $(rss_idle 7001 $relay_pid)"
sleep 3
echo "  haproxy:       $(rss_idle 7002 $haproxy_pid)"
sleep 3
echo "  rinetd:        $(rss_idle 7004 $rinetd_pid)"
echo "  (socat forks a process per connection; kernel DNAT keeps conntrack entries, no process)"
