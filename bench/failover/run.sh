#!/usr/bin/env bash
# Failover of an HA pair (issue 16): `portfwd demo --ha --failovers N` in throwaway namespaces,
# RUNS times; prints each failover's time (kill to first byte through the other gateway) and
# whether the connection was kept, then the distribution. Root; needs keepalived and conntrackd.
# Usage: sudo bench/failover/run.sh [FAILOVERS-PER-RUN] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
failovers=${1:-10}
runs=${2:-1}
(( failovers >= 1 && failovers <= 50 && runs >= 1 && runs <= 10 )) || { echo "1-50 failovers, 1-10 runs" >&2; exit 2; }
jar=${PORTFWD_JAR:-target/portfwd.jar}   # another build, for an A/B
[[ -f "$jar" ]] || mvn -B -q -o -DskipTests package
times=()
for ((run = 1; run <= runs; run++)); do
  out=$(timeout 900 java -jar "$jar" demo --ha --failovers "$failovers" 2>&1) || true
  echo "run $run: $(tail -1 <<<"$out")"
  while read -r ms; do times+=("$ms"); done < <(sed -n 's/^   first byte through gw-. \([0-9]*\) ms after the kill$/\1/p' <<<"$out")
  grep -A80 -E "did not resume" <<<"$out" || true
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {
  if (NR == 0) { print "no failover measured"; exit 1 }
  printf "failovers: %d  min %d ms  median %d ms  p90 %d ms  max %d ms\n", NR, a[1], a[int((NR+1)/2)], a[int(NR*0.9+0.5)], a[NR] }'
echo "all times (ms): ${times[*]}"
