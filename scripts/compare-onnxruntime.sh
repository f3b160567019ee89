#!/usr/bin/env bash
# Runs the same quality and speed commands on the pinned ONNX Runtime (1.28.0) and on 1.29.0, one
# after the other on the same machine, by swapping only the onnxruntime jar on the CLI classpath:
#   - bin/gecko evaluate --sts for the four bundled models (README's Quality table);
#   - optionally bin/gecko bench throughput with the given options (BENCH="--runs 3 ...").
# Prints one JSON line per command and version on stdout; progress on stderr.
# SKIP_QUALITY=1 runs only the benchmark.
# Usage: scripts/compare-onnxruntime.sh [BENCH options]   e.g. scripts/compare-onnxruntime.sh --runs 3 --long-texts 300
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${GECKO_DATA:-$root/../shared/data}"
pinned="$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' "$root/pom.xml")"
other="${OTHER_ORT:-1.29.0}"
"$root/bin/gecko" --version >/dev/null   # builds the CLI on first use
(cd "$root" && mvn -B -q dependency:get -Dartifact="com.microsoft.onnxruntime:onnxruntime:$other" >&2)
cp_file="$root/gecko-examples/target/cli-classpath.txt"
orig="$(cat "$cp_file")"
restore() { printf '%s' "$orig" > "$cp_file"; }
trap restore EXIT
for v in "$pinned" "$other"; do
  printf '%s' "${orig//onnxruntime\/$pinned\/onnxruntime-$pinned.jar/onnxruntime\/$v\/onnxruntime-$v.jar}" > "$cp_file"
  grep -q "onnxruntime-$v.jar" "$cp_file" || { echo "no onnxruntime-$v.jar on the classpath" >&2; exit 2; }
  [ -n "${SKIP_QUALITY:-}" ] || for m in bge-small-en-v1.5 bge-small-en-v1.5-q all-MiniLM-L6-v2 e5-small-v2; do
    echo "== ORT $v: evaluate $m STS" >&2
    line="$("$root/bin/gecko" evaluate --model "$m" --sts "$data/sts/STSBenchmark.test.tsv" | tail -1)"
    echo "{\"onnxruntime\":\"$v\",\"command\":\"evaluate $m sts\",\"result\":$line}"
  done
  if [ "$#" -gt 0 ]; then
    echo "== ORT $v: bench throughput $*" >&2
    line="$("$root/bin/gecko" bench throughput "$@" | tail -1)"
    echo "{\"onnxruntime\":\"$v\",\"command\":\"bench throughput $*\",\"result\":$line}"
  fi
done
