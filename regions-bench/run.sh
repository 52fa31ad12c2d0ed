#!/usr/bin/env bash
# Runs the Regions benchmarks and writes their figures, chart and tables.
#
#   regions-bench/run.sh           the measurement run: about 30 minutes on 2 cores
#   regions-bench/run.sh --smoke   every benchmark once, briefly (a few minutes): checks that all
#                                  of it works; its figures are not measurements
#
# Options:
#   --out DIR    where to write (default regions-bench/results; with --smoke
#                regions-bench/target/smoke-results)
#   --no-build   use regions-bench/target/benchmarks.jar as it is
#
# Writes into DIR: one JMH JSON and log per workload (w1-churn.json, w3-shared-churn-t4.json, ...),
# w7-larson-memory.txt (what each larson fork holds after each iteration),
# space.json/space.csv/space.md (the space benchmark), footprint.md (small regions and the parser
# pattern: gross against live bytes), chart.svg (every JMH result, by
# dev.regions.bench.Chart) and results.md (the settings, the machine, all tables).
# Picks a JDK 22+ itself (.mvn/select-jdk.sh), as ./mvnw and .ci/run do.
set -euo pipefail
cd "$(dirname "$0")/.."
. .mvn/select-jdk.sh

smoke=false
build=true
out=
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=true ;;
    --no-build) build=false ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--out DIR] [--no-build]" >&2; exit 2 ;;
  esac
  shift
done

if $smoke; then
  out=${out:-regions-bench/target/smoke-results}
  jmh_opts=(-f 1 -wi 1 -w 200ms -i 3 -r 100ms)
  # W5 times single shots of 100 calls (batch size fixed by the benchmarks); only the count changes.
  w5_opts=(-f 1 -wi 1 -i 3)
  parser_opts=(-f 1 -wi 1 -i 2)
  # W7/W8: invocations of fixed work (under a second each), one thread count each
  cross_opts=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
  larson_threads=2
  pc_pairs=2
  space_pieces=100000
  label="SMOKE RUN: checks only, not measurements"
else
  out=${out:-regions-bench/results}
  jmh_opts=(-f 2 -wi 3 -w 1s -i 5 -r 1s)
  w5_opts=(-f 1 -wi 10 -i 20)
  parser_opts=(-f 2 -wi 5 -i 10)
  cross_opts=(-f 2 -wi 2 -w 2s -i 3 -r 2s)
  larson_threads=1,2,4,8
  pc_pairs=1,2,4
  space_pieces=1000000
  label="measurement run"
fi
threads=(2 4 8)

java="$JAVA_HOME/bin/java"
jar=regions-bench/target/benchmarks.jar
if $build; then
  ./mvnw -q -pl regions-bench -am package -DskipTests
fi
mkdir -p "$out"
rm -f "$out"/w*.json "$out"/w*.log

# One JMH invocation: its JSON and its full log in $out; progress on the terminal.
jmh() {
  local name=$1
  shift
  echo "== $name: java -jar $jar $*"
  "$java" -jar "$jar" "$@" -foe true -rf json -rff "$out/$name.json" 2>&1 \
    | tee "$out/$name.log" | grep -v '^WARNING:' || { echo "JMH failed: see $out/$name.log" >&2; exit 1; }
}

started=$(date +%s)
jmh w1-churn '\.ChurnBench\.' "${jmh_opts[@]}"
jmh w2-build-drop '\.BuildDropBench\.' "${jmh_opts[@]}"
for t in "${threads[@]}"; do
  jmh "w3-shared-churn-t$t" '\.SharedChurnBench\.' -t "$t" "${jmh_opts[@]}"
done
jmh w4-large '\.LargePieceBench\.' "${jmh_opts[@]}"
jmh w5-merge-reset '\.(MergeBench|ResetBench|ArenaCloseBench)\.' "${w5_opts[@]}"
jmh w6-request '\.RequestBench\.' "${jmh_opts[@]}"
jmh w5-parser-reset '\.ParserBench\.' "${parser_opts[@]}"
jmh w7-larson '\.LarsonBench\.' -p threads=$larson_threads "${cross_opts[@]}"
jmh w8-producer-consumer '\.ProducerConsumerBench\.' -p pairs=$pc_pairs "${cross_opts[@]}"
grep -ho 'LARSON-MEMORY.*' "$out/w7-larson.log" > "$out/w7-larson-memory.txt" || true

echo "== footprint (small regions, the parser pattern)"
"$java" --enable-native-access=ALL-UNNAMED -cp "$jar" dev.regions.bench.Footprint | tee "$out/footprint.md"

echo "== space benchmark ($space_pieces pieces, one child JVM per peer)"
"$java" -cp "$jar" dev.regions.bench.SpaceBench --pieces "$space_pieces" \
  --json "$out/space.json" --csv "$out/space.csv" | tee "$out/space.md"

echo "== chart and tables"
"$java" -cp "$jar" dev.regions.bench.Chart --svg "$out/chart.svg" \
  --title "Regions benchmarks ($label)" "$out"/w*.json > "$out/jmh.md"
{
  echo "# Regions benchmarks: $label"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- JDK: $("$java" -version 2>&1 | head -1)"
  echo "- machine: $(nproc) cores, $(uname -sm), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
  echo "- JMH: ${jmh_opts[*]} (W3 with -t ${threads[*]}); W5: ${w5_opts[*]}, single shots of 100 calls; parser reset: ${parser_opts[*]}, single shots; W7/W8: ${cross_opts[*]}, ops/s, larson at $larson_threads threads, producer/consumer at $pc_pairs pairs"
  echo "- run time: $(( ($(date +%s) - started) / 60 )) min"
  echo
  echo "## JMH (chart: chart.svg)"
  echo
  cat "$out/jmh.md"
  echo
  echo "## W7 larson: memory held at the end of each iteration (bytes; LARSON-MEMORY lines of the forks)"
  echo
  echo '```'
  cat "$out/w7-larson-memory.txt"
  echo '```'
  echo
  echo "## Space"
  echo
  cat "$out/space.md"
  echo
  echo "## Footprint"
  echo
  cat "$out/footprint.md"
} > "$out/results.md"
echo "Wrote $out/results.md and $out/chart.svg"
