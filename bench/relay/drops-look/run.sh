#!/usr/bin/env bash
# What the relay's look at the kernel's UDP drops costs one event loop (SO_MEMINFO per socket, as
# ReceiveDrops reads it), with SOCKETS (10,000: --max-udp-sessions) sockets bound to loopback in a
# throwaway network namespace. Needs root; touches only its own namespace.
#
#   bench/relay/drops-look/run.sh [SOCKETS [ROUNDS]]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
[[ -f target/portfwd.jar ]] || mvn -B -q -DskipTests package
ns="pfdrops$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
echo "machine: $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
ulimit -n $(( ${1:-10000} + 1000 ))
ip netns exec "$ns" java -cp target/portfwd.jar bench/relay/drops-look/DropsLookBench.java \
  "${1:-10000}" "${2:-10}" 2>&1 | grep -v 'WARN\|hardware address\|MacAddressUtil'
