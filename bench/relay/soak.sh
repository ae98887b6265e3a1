#!/usr/bin/env bash
# Relay soak (issue 12): the relay under many connections, in fresh network namespaces
#   client 203.0.113.10, client2 203.0.113.20 -- gateway 203.0.113.1 | 192.0.2.1 -- backend 192.0.2.2
# The relay runs in the gateway as portfwd-relay.service runs it (java with the unit's flags, which
# are relay_flags in bin/portfwd, -jar ... relay), an echo server in the backend.
#   1. SEQUENTIAL connections one after another (100,000): file descriptors of the relay before and
#      after (nothing may be left behind), connections per second.
#   2. CONCURRENT connections held at once from one client (9,900: the hard file limit here is
#      20,000 and a relayed connection takes two), with --max-connections-per-source 0.
#   3. A slowloris: SILENT connections that never send (5,000) from one client, while client2, a
#      normal client, makes 200 connections one after another; once with the default limits
#      (--max-connections-per-source 1000), once with no per-source limit.
# Every load is bounded in count and time. Needs root; touches only its own namespaces.
#
#   bench/relay/soak.sh                  SEQUENTIAL=100000 CONCURRENT=9900 SILENT=5000 by default
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
sequential=${SEQUENTIAL:-100000}
concurrent=${CONCURRENT:-9900}
silent=${SILENT:-5000}

command -v socat >/dev/null || { echo "needs socat" >&2; exit 1; }
[[ -f target/portfwd.jar && -d target/test-classes ]] || mvn -B -q -DskipTests package
java=$(command -v java)
relay_flags=$(sed -n 's/^relay_flags=(\(.*\))$/\1/p' bin/portfwd)
tool=("$java" -XX:+UseSerialGC -cp "target/test-classes:target/portfwd.jar" dev.portfwd.relay.RelayTestTool)

id="pfs$$"
C=$id-client; C2=$id-client2; G=$id-gateway; B=$id-backend
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for ns in $C $C2 $G $B; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
for ns in $C $C2 $G $B; do ip netns add "$ns"; inns "$ns" ip link set lo up; done
inns $G ip link add wan type bridge
inns $G ip link set wan up
ip link add wan-c netns $C type veth peer name p-c netns $G
ip link add wan-c netns $C2 type veth peer name p-c2 netns $G
ip link add vpn netns $G type veth peer name vpn-b netns $B
inns $G sh -c 'ip link set p-c master wan && ip link set p-c up && ip link set p-c2 master wan && ip link set p-c2 up'
inns $C sh -c 'ip addr add 203.0.113.10/24 dev wan-c && ip link set wan-c up && ip route add default via 203.0.113.1'
inns $C2 sh -c 'ip addr add 203.0.113.20/24 dev wan-c && ip link set wan-c up && ip route add default via 203.0.113.1'
inns $G sh -c 'ip addr add 203.0.113.1/24 dev wan && ip addr add 192.0.2.1/24 dev vpn && ip link set vpn up'
inns $B sh -c 'ip addr add 192.0.2.2/24 dev vpn-b && ip link set vpn-b up'
# Only inside these namespaces: the relay closes first towards the backend, so its side keeps
# TIME_WAIT entries; reuse them, and give 100,000 sequential connections enough ports. The relay
# listens below that range: a TIME_WAIT entry on a listening port would make the next bind fail.
inns $G sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65000"
inns $C sysctl -qw net.ipv4.ip_local_port_range="10000 65000"

inns $B "${tool[@]}" echo 7000 >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 200); do inns $B ss -Htln "sport = :7000" | grep -q . && break; sleep 0.1; done

relay_pid=
relay_log=
start_relay() { # PORT OPTIONS... -> starts a relay on PORT, sets relay_pid and relay_log
  local port=$1; shift
  echo "$port 192.0.2.2 7000 tcp" > "$work/t$port.txt"
  relay_log="$work/relay-$port.log"
  # Not through inns (a function: & would fork a shell): ip and sh exec, so $! is the JVM.
  ip netns exec $G sh -c "exec $java $relay_flags -jar target/portfwd.jar relay $* $work/t$port.txt 2>$relay_log" &
  relay_pid=$!
  pids+=("$relay_pid")
  for _ in $(seq 300); do inns $G ss -Htln "sport = :$port" | grep -q . && break; sleep 0.1; done
}
stop_relay() {
  if ! kill -TERM "$relay_pid" 2>/dev/null; then
    echo "the relay is gone; its log ends:"; tail -20 "$relay_log"
  fi
  wait "$relay_pid" 2>/dev/null || true
}
fds() { ls /proc/"$relay_pid"/fd | wc -l; }
settled_fds() {
  local last now
  last=$(fds)
  for _ in $(seq 40); do sleep 0.5; now=$(fds); [[ $now == "$last" ]] && break; last=$now; done
  echo "$last"
}
rss_mb() { echo $(( $(awk '/VmRSS/{print $2}' /proc/"$relay_pid"/status) / 1024 )); }
stats() { # the relay's counters line for tcp PORT
  kill -USR1 "$relay_pid"; sleep 1
  grep "stats tcp $1 " "$relay_log" | tail -1 | sed 's/.*stats //'
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r), $($java -version 2>&1 | head -1), fd limit $(ulimit -Hn), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "## 1. $sequential sequential connections (relay with default options)"
start_relay 9100
inns $C "${tool[@]}" sequential 203.0.113.1 9100 2000 60 >/dev/null   # warm-up, not counted
before=$(settled_fds)
t0=$(date +%s.%N)
out=$(inns $C timeout 1000 "${tool[@]}" sequential 203.0.113.1 9100 "$sequential" 900)
t1=$(date +%s.%N)
after=$(settled_fds)
done_count=$(echo "$out" | sed 's/done=\([0-9]*\).*/\1/')
echo "client: $out in $(awk "BEGIN{printf \"%.0f s (%.0f per second)\", $t1 - $t0, $done_count / ($t1 - $t0)}")"
echo "relay file descriptors: before $before, after $after; RSS $(rss_mb) MB"
echo "relay: $(stats 9100)"
stop_relay
echo

echo "## 2. $concurrent concurrent connections from one client (--max-connections-per-source 0)"
start_relay 9000 --max-connections-per-source 0
inns $C timeout 300 "${tool[@]}" concurrent 203.0.113.1 9000 "$concurrent" 180 20 > "$work/concurrent.out" &
client=$!
for _ in $(seq 1800); do grep -q echoed "$work/concurrent.out" 2>/dev/null && break; sleep 0.1; done
sleep 2
echo "client: $(cat "$work/concurrent.out")"
echo "relay while they are held: $(stats 9000); file descriptors $(fds); RSS $(rss_mb) MB"
wait "$client" || true
echo "relay after they closed: file descriptors $(settled_fds)"
stop_relay
echo

slowloris() { # LABEL PORT OPTIONS...
  local label=$1 port=$2; shift 2
  echo "## 3$label. slowloris: $silent silent connections from 203.0.113.10, a normal client on 203.0.113.20 ($*)"
  start_relay "$port" "$@"
  inns $C timeout 300 "${tool[@]}" silent 203.0.113.1 "$port" "$silent" 120 40 > "$work/silent$port.out" &
  local attacker=$!
  # Wait until the relay holds what it will hold (its count of open connections stops growing).
  local last=-1 now
  for _ in $(seq 120); do
    sleep 1
    now=$(stats "$port" | sed 's/.*active=\([0-9]*\).*/\1/')
    [[ $now == "$last" && $now -gt 0 ]] && break
    last=$now
  done
  echo "relay holding the slowloris: $(stats "$port"); file descriptors $(fds); RSS $(rss_mb) MB"
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$(inns $C2 timeout 120 "${tool[@]}" sequential 203.0.113.1 "$port" 200 100)
  t1=$(date +%s.%N)
  echo "normal client meanwhile: $out in $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s"
  wait "$attacker" || true
  echo "slowloris client at its end: $(cat "$work/silent$port.out")"
  echo "relay log lines about refusals: $(grep -c 'refused 203.0.113.10' "$relay_log" || true)"
  { grep 'refused 203.0.113.10' "$relay_log" || true; } | sed 's/^/    /' | head -4
  stop_relay
  echo
}
slowloris a 9200
slowloris b 9300 --max-connections-per-source 0
