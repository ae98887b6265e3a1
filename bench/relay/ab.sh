#!/usr/bin/env bash
# Interleaved A/B for the relay: the same namespaces as run.sh (client 203.0.113.10 -> gateway
# 203.0.113.1 | 192.0.2.1 -> backend 192.0.2.2), every contender running at once on its own ports,
# and ROUNDS rounds in which each contender is measured once, in an order that rotates per round.
# Prints every value, the median per contender and, for each contender, the median over rounds of
# its value divided by the first contender's value in the same round (what survives the load of a
# shared machine). Every load is bounded in time. Needs root; touches only its own namespaces.
#
#   bench/relay/ab.sh METRIC ROUNDS CONTENDER...
#     METRIC      conn (new connections/s, one sequential client), connpar (the same with
#                 PAR_CLIENTS sequential clients at once, default 16), udp (iperf3 -u -l 64, datagrams/s
#                 received), tcp (one iperf3 stream, Gbit/s), rss (MB resident with IDLE_CONNS idle
#                 relayed connections, IDLE_WAIT seconds (default 10) after they are open, after
#                 one conn warm-up; relays only), udpcpu, conncpu and connparcpu
#                 (CPU time in microseconds per datagram at UDP_RATE, default 10M, or per
#                 connection of the sequential client or of the PAR_CLIENTS ones; not for kernel;
#                 lower is better)
#     CONTENDER   NAME=JAR[@JVM FLAGS]  a portfwd relay from JAR with those java flags (a flag
#                 written +VAR=VALUE sets VAR in the JVM's environment instead, one written
#                 --NAME=VALUE is passed to the relay command), or one of
#                 haproxy, rinetd, socat, kernel
#   e.g. bench/relay/ab.sh conn 6 'new=target/portfwd.jar@-XX:+UseSerialGC' old=/tmp/old.jar haproxy
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
metric=$1 rounds=$2
shift 2
specs=("$@")
secs=${SECS:-5}
idle_conns=${IDLE_CONNS:-9900}
java=$(command -v java)
[[ -d target/test-classes ]] || mvn -B -q -DskipTests package
# TOOL_CLASSPATH: a copy of both, so a rebuild during a long run changes no client or backend.
tool=("$java" -XX:+UseSerialGC -cp "${TOOL_CLASSPATH:-target/test-classes:target/portfwd.jar}" dev.portfwd.relay.RelayTestTool)

id="pfab$$"
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
  [[ -n ${KEEP:-} ]] && cp "$work"/*.log "$KEEP"/ 2>/dev/null
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
# Only inside these namespaces, as in run.sh.
inns $G sysctl -qw net.ipv4.ip_forward=1 net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65000"
inns $C sysctl -qw net.ipv4.ip_local_port_range="10000 65000"

inns $B iperf3 -s -p 5201 >/dev/null 2>&1 & pids+=($!)
inns $B "${tool[@]}" echo 7000 >/dev/null 2>&1 & pids+=($!)

# Contender i listens on 6100+i (-> iperf3 5201, TCP and UDP) and 7100+i (-> echo 7000, TCP).
names=() procs=()
for i in "${!specs[@]}"; do
  spec=${specs[$i]} p6=$((6100 + i)) p7=$((7100 + i))
  case $spec in
    haproxy)
      cat > "$work/haproxy.cfg" <<T
global
  maxconn $((idle_conns + 50))
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen iperf
  bind 203.0.113.1:$p6
  server b 192.0.2.2:5201
listen echo
  bind 203.0.113.1:$p7
  server b 192.0.2.2:7000
T
      ip netns exec $G haproxy -f "$work/haproxy.cfg" -db >/dev/null 2>&1 & pids+=($!)
      names+=(haproxy) procs+=($!) ;;
    socat)
      inns $G socat TCP-LISTEN:$p6,fork,reuseaddr,backlog=4096 TCP:192.0.2.2:5201 2>/dev/null & pids+=($!)
      inns $G socat UDP-LISTEN:$p6,fork,reuseaddr UDP:192.0.2.2:5201 2>/dev/null & pids+=($!)
      inns $G socat TCP-LISTEN:$p7,fork,reuseaddr,backlog=4096 TCP:192.0.2.2:7000 2>/dev/null & pids+=($!)
      names+=(socat) procs+=($!) ;;
    rinetd)
      printf '0.0.0.0 %s 192.0.2.2 5201\n0.0.0.0 %s/udp 192.0.2.2 5201/udp\n0.0.0.0 %s 192.0.2.2 7000\n' \
        $p6 $p6 $p7 > "$work/rinetd.conf"
      ip netns exec $G rinetd -f -c "$work/rinetd.conf" >/dev/null 2>&1 & pids+=($!)
      names+=(rinetd) procs+=($!) ;;
    kernel)
      inns $G nft -f - <<T
table inet pfab$i {
  chain pre {
    type nat hook prerouting priority dstnat;
    ip daddr 203.0.113.1 meta l4proto { tcp, udp } th dport $p6 dnat ip to 192.0.2.2:5201
    ip daddr 203.0.113.1 tcp dport $p7 dnat ip to 192.0.2.2:7000
  }
  chain post {
    type nat hook postrouting priority srcnat;
    ct status dnat masquerade
  }
}
T
      names+=(kernel) procs+=(0) ;;
    *=*)
      name=${spec%%=*} rest=${spec#*=}
      jar=${rest%%@*} flags="" env=""
      [[ $rest == *@* ]] && flags=${rest#*@}
      # A flag written +VAR=VALUE goes to the JVM's environment (e.g. +MALLOC_ARENA_MAX=2).
      # A flag written --NAME=VALUE goes to the relay command (e.g. --transport=io_uring).
      args=""
      for f in $flags; do [[ $f == +* ]] && env+=" ${f#+}"; [[ $f == --* ]] && args+=" $f"; done
      flags=$(for f in $flags; do [[ $f == +* || $f == --* ]] || printf '%s ' "$f"; done)
      printf '%s 192.0.2.2 5201 tcp,udp\n%s 192.0.2.2 7000 tcp\n' $p6 $p7 > "$work/t$i.txt"
      # ip and sh exec, so $! is the JVM.
      ip netns exec $G sh -c "exec env $env $java $flags -jar $jar relay --max-connections-per-source 0$args $work/t$i.txt 2>$work/relay$i.log" &
      pids+=($!)
      names+=("$name") procs+=($!) ;;
    *) echo "unknown contender $spec" >&2; exit 2 ;;
  esac
done
for i in "${!specs[@]}"; do
  [[ ${names[$i]} == kernel ]] && continue
  for _ in $(seq 300); do inns $G ss -Htln "sport = :$((7100 + i))" | grep -q . && break; sleep 0.1; done
done
for _ in $(seq 100); do inns $B ss -Htln "sport = :7000" | grep -q . && break; sleep 0.1; done

py() { python3 -c "$1"; }
measure() { # METRIC INDEX -> one number
  local i=$2 p6=$((6100 + $2)) p7=$((7100 + $2)) out
  case $1 in
    conn)
      out=$(inns $C timeout $((secs + 30)) "${tool[@]}" sequential 203.0.113.1 $p7 100000000 "$secs" 2>"$work/conn.err") || true
      [[ $out =~ done=([0-9]+) ]] && echo $((BASH_REMATCH[1] / secs)) \
        || { echo "  ${names[$i]}: '$out' $(tail -2 "$work/conn.err")" >&2; echo fail; } ;;
    connpar)
      out=$(inns $C timeout $((secs + 30)) "${tool[@]}" parallel 203.0.113.1 $p7 "${PAR_CLIENTS:-16}" "$secs" 2>"$work/conn.err") || true
      [[ $out =~ done=([0-9]+) ]] && echo $((BASH_REMATCH[1] / secs)) \
        || { echo "  ${names[$i]}: '$out' $(tail -2 "$work/conn.err")" >&2; echo fail; } ;;
    udp)
      inns $C timeout $((secs + 15)) iperf3 -c 203.0.113.1 -p $p6 -u -b 0 -l 64 -t "$secs" -J 2>/dev/null \
        | py 'import json,sys; d=json.load(sys.stdin)["end"]["sum"]; print("%.0f" % ((d["packets"]-d["lost_packets"])/d["seconds"]) if 0 <= d["lost_packets"] <= d["packets"] else "fail")' \
        || echo fail ;;
    tcp)
      inns $C timeout $((secs + 15)) iperf3 -c 203.0.113.1 -p $p6 -t "$secs" -J 2>/dev/null \
        | py 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' \
        || echo fail ;;
    udpcpu|conncpu|connparcpu)
      # CPU the relay spent per datagram (at a fixed offered rate) or per connection, in
      # microseconds: unlike a rate, it hardly moves with what else the machine runs.
      local pid=${procs[$i]} t0 t1 n
      t0=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
      if [[ $1 == udpcpu ]]; then
        n=$(inns $C timeout $((secs + 15)) iperf3 -c 203.0.113.1 -p $p6 -u -b "${UDP_RATE:-10M}" -l 64 -t "$secs" -J 2>/dev/null \
          | py 'import json,sys; d=json.load(sys.stdin)["end"]["sum"]; print(d["packets"]-d["lost_packets"])' || echo 0)
      elif [[ $1 == connparcpu ]]; then
        out=$(inns $C timeout $((secs + 30)) "${tool[@]}" parallel 203.0.113.1 $p7 "${PAR_CLIENTS:-16}" "$secs" 2>/dev/null) || true
        [[ $out =~ done=([0-9]+) ]] && n=${BASH_REMATCH[1]} || n=0
      else
        out=$(inns $C timeout $((secs + 30)) "${tool[@]}" sequential 203.0.113.1 $p7 100000000 "$secs" 2>/dev/null) || true
        [[ $out =~ done=([0-9]+) ]] && n=${BASH_REMATCH[1]} || n=0
      fi
      t1=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
      ((n > 0)) && py "print('%.2f' % (($t1 - $t0) * 1e6 / $(getconf CLK_TCK) / $n))" || echo fail ;;
    rss)
      local pid=${procs[$i]} file="$work/idle.$i"
      # Not through inns (a function: & would fork a shell): ip execs timeout, so $! can end it.
      ip netns exec $C timeout 150 "${tool[@]}" concurrent 203.0.113.1 $p7 "$idle_conns" 90 20 > "$file" 2>/dev/null &
      local client=$!
      for _ in $(seq 900); do grep -q echoed "$file" 2>/dev/null && break; sleep 0.1; done
      sleep "${IDLE_WAIT:-10}"
      local kb; kb=$(awk '/VmRSS/{print $2}' /proc/"$pid"/status 2>/dev/null || echo 0)
      # NMT=1 and -XX:NativeMemoryTracking=summary in a contender's flags: where its memory goes.
      [[ -n ${NMT:-} ]] && jcmd "$pid" VM.native_memory summary 2>/dev/null | grep -E 'committed=' | sed "s/^/  ${names[$i]} /" >&2
      [[ -n ${HISTO:-} ]] && jcmd "$pid" GC.class_histogram 2>/dev/null | sed -n "1,40p;/^Total/p" | sed "s/^/  ${names[$i]} /" >&2
      grep -q "open=$idle_conns" "$file" || { echo "  ${names[$i]}: $(cat "$file")" >&2; kb=0; }
      kill "$client" 2>/dev/null || true; wait "$client" 2>/dev/null || true
      sleep 3
      [[ -n ${HISTO:-} ]] && jcmd "$pid" GC.class_histogram 2>/dev/null | sed -n "1,12p;/^Total/p" | sed "s/^/  ${names[$i]} after: /" >&2
      echo $((kb / 1024)) ;;
  esac
}

echo "machine: $(nproc) cores, kernel $(uname -r), $($java -version 2>&1 | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!specs[@]}"; do echo "  $i: ${specs[$i]}"; done
# Warm-up, not measured: the JIT compiles the relays' hot paths in the first seconds.
for i in "${!specs[@]}"; do
  case $metric in
    udp|udpcpu) [[ ${names[$i]} == haproxy ]] || inns $C timeout 20 iperf3 -c 203.0.113.1 -p $((6100 + i)) -u -b 0 -l 64 -t 3 >/dev/null 2>&1 || true ;;
    tcp) inns $C timeout 20 iperf3 -c 203.0.113.1 -p $((6100 + i)) -t 3 >/dev/null 2>&1 || true ;;
    *) inns $C timeout 30 "${tool[@]}" sequential 203.0.113.1 $((7100 + i)) 100000000 4 >/dev/null 2>&1 || true
       if [[ $metric == rss && ${names[$i]} != rinetd ]]; then
         # As in run.sh, the idle connections come after bulk TCP and UDP traffic.
         inns $C timeout 20 iperf3 -c 203.0.113.1 -p $((6100 + i)) -t 3 >/dev/null 2>&1 || true
         [[ ${names[$i]} == haproxy ]] || inns $C timeout 20 iperf3 -c 203.0.113.1 -p $((6100 + i)) -u -b 0 -l 64 -t 3 >/dev/null 2>&1 || true
       fi ;;
  esac
done
n=${#specs[@]}
declare -A value
for round in $(seq "$rounds"); do
  line="round $round (load $(cut -d' ' -f1 /proc/loadavg)):"
  for k in $(seq 0 $((n - 1))); do
    i=$(( (k + round) % n ))
    v=$(measure "$metric" "$i")
    value[$round,$i]=$v
  done
  for i in $(seq 0 $((n - 1))); do line+=" ${names[$i]}=${value[$round,$i]}"; done
  echo "$line"
done
echo "load at end $(cut -d' ' -f1-3 /proc/loadavg)"
{
  for round in $(seq "$rounds"); do
    for i in $(seq 0 $((n - 1))); do echo "$round $i ${value[$round,$i]}"; done
  done
} | python3 -c '
import sys, statistics
names = sys.argv[1:]
v = {}
for line in sys.stdin:
    r, i, x = line.split()
    try: v[(int(r), int(i))] = float(x)
    except ValueError: pass
rounds = sorted({r for r, _ in v})
for i, name in enumerate(names):
    own = [v[(r, i)] for r in rounds if (r, i) in v and v[(r, i)] > 0]
    ratios = [v[(r, i)] / v[(r, 0)] for r in rounds if v.get((r, i), 0) > 0 and v.get((r, 0), 0) > 0]
    print("%-10s median %10.2f   median ratio to %s %.3f (range %.3f-%.3f, %d rounds)" % (
        name, statistics.median(own) if own else float("nan"), names[0],
        statistics.median(ratios) if ratios else float("nan"),
        min(ratios) if ratios else float("nan"), max(ratios) if ratios else float("nan"), len(ratios)))
' "${names[@]}"
