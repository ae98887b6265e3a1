#!/usr/bin/env bash
# Parse-and-validate benchmark for a 100,000-line table, plus the wall time of
# `bin/portfwd check examples/seed-ports.txt` (JVM start included). Bounded: a few seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
[[ -f target/portfwd.jar ]] || mvn -B -q -DskipTests package
bin/portfwd --version >/dev/null   # builds the class-data-sharing archive if missing

echo "machine: $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(java -version 2>&1 | head -1)"
echo "parse + validate, launcher flags (C1, SerialGC):"
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp target/portfwd.jar bench/parse/ParseBench.java 100000 15
echo "parse + validate, default JVM flags:"
java -cp target/portfwd.jar bench/parse/ParseBench.java 100000 15

runs=20
best=999999; total=0
for _ in $(seq $runs); do
  start=$(date +%s%N)
  bin/portfwd check examples/seed-ports.txt >/dev/null
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  total=$((total + ms)); (( ms < best )) && best=$ms
done
echo "bin/portfwd check examples/seed-ports.txt: mean $((total / runs)) ms, best $best ms over $runs runs (CDS archive + C1 + SerialGC)"

total=0
for _ in $(seq $runs); do
  start=$(date +%s%N)
  java -jar target/portfwd.jar check examples/seed-ports.txt >/dev/null
  total=$((total + ($(date +%s%N) - start) / 1000000))
done
echo "plain java -jar (no flags) for comparison: mean $((total / runs)) ms over $runs runs"
