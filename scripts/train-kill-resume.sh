#!/usr/bin/env bash
# Kill-and-resume check of a real `gecko train` process (issue: "a run killed part-way and resumed
# ends with the same weights as an uninterrupted run with the same seed").
#   A: a short scifact run, uninterrupted.
#   B: the same arguments, SIGKILLed after its step-4 checkpoint, then rerun with the same
#      arguments (it resumes from the checkpoint).
# Then `gecko diff` compares the two exported models' weights (last stdout line: JSON).
# Usage: scripts/train-kill-resume.sh [work-dir]   (default /tmp/gecko-kill-resume; ~5 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/gecko-kill-resume}
ARGS=(--recipe scifact --no-eval --steps 8 --batch-size 4 --micro-batch 4 --query-max-length 32
  --passage-max-length 64 --mine-max-length 64 --checkpoint-every 2 --seed 7)
rm -rf "$W/a" "$W/b"; mkdir -p "$W/a" "$W/b"
echo "A: uninterrupted run" >&2
bin/gecko train "${ARGS[@]}" --out "$W/a" > "$W/a.out" 2> "$W/a.err"
cp "$W/a/mined-rankings.tsv" "$W/b/"   # same mined negatives, no second mining
echo "B: the same run, killed after its step-4 checkpoint" >&2
bin/gecko train "${ARGS[@]}" --out "$W/b" > "$W/b1.out" 2> "$W/b1.err" &
pid=$!
until grep -q "checkpoint .*step-00000004" "$W/b1.err" 2>/dev/null; do
  kill -0 $pid 2>/dev/null || { echo "B ended before its step-4 checkpoint; see $W/b1.err" >&2; exit 1; }
  sleep 0.2
done
sleep 1
pkill -KILL -f -- "--out $W/b" || true
wait $pid || echo "B killed (exit $?) after: $(grep 'train: step' "$W/b1.err" | tail -1)" >&2
echo "B: rerun with the same arguments" >&2
bin/gecko train "${ARGS[@]}" --out "$W/b" > "$W/b2.out" 2> "$W/b2.err"
grep "resumed from" "$W/b2.err" >&2
bin/gecko diff "$W/a/model" "$W/b/model"
