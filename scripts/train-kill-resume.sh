#!/usr/bin/env bash
# Kill-and-resume check of a real `gecko train` process (issue: "a run killed part-way and resumed
# ends with the same weights as an uninterrupted run with the same seed").
#   A: a short scifact run, uninterrupted.
#   B: the same arguments, killed part-way, then rerun with the same arguments (it resumes).
#      SIGNAL=KILL (default): SIGKILL after its step-4 checkpoint; the rerun resumes from that.
#      SIGNAL=TERM: SIGTERM once step 3 is done; the process stops at its next step boundary,
#      writes a checkpoint of the steps it completed and exits 143; the rerun resumes from that.
# Then `gecko diff` compares the two exported models' weights (last stdout line: JSON).
# Usage: [SIGNAL=KILL|TERM] [TRAIN_ARGS="..."] scripts/train-kill-resume.sh [work-dir]
#   (default /tmp/gecko-kill-resume; ~5 min on 2 cores). TRAIN_ARGS replaces the scifact run's
#   arguments, e.g. a few FRet rows for a quick check: TRAIN_ARGS="--fret rows.jsonl --no-eval
#   --steps 8 --batch-size 2 --micro-batch 1 --query-max-length 16 --passage-max-length 16"
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/gecko-kill-resume}
SIGNAL=${SIGNAL:-KILL}
ARGS=(--recipe scifact --no-eval --steps 8 --batch-size 4 --micro-batch 4 --query-max-length 32
  --passage-max-length 64 --mine-max-length 64 --checkpoint-every 2 --seed 7)
if [ -n "${TRAIN_ARGS:-}" ]; then read -r -a ARGS <<< "$TRAIN_ARGS"; fi
rm -rf "$W/a" "$W/b"; mkdir -p "$W/a" "$W/b"
echo "A: uninterrupted run" >&2
bin/gecko train "${ARGS[@]}" --out "$W/a" > "$W/a.out" 2> "$W/a.err"
[ -f "$W/a/mined-rankings.tsv" ] && cp "$W/a/mined-rankings.tsv" "$W/b/"   # same mined negatives, no second mining
case "$SIGNAL" in
  KILL) wait_for="checkpoint .*step-00000004"; what="after its step-4 checkpoint" ;;
  TERM) wait_for="train: step 3/"; what="once step 3 is done" ;;
  *) echo "SIGNAL must be KILL or TERM, but is: $SIGNAL" >&2; exit 2 ;;
esac
echo "B: the same run, SIG$SIGNAL $what" >&2
bin/gecko train "${ARGS[@]}" --out "$W/b" > "$W/b1.out" 2> "$W/b1.err" &
pid=$!   # bin/gecko execs java: this is the JVM
until grep -q "$wait_for" "$W/b1.err" 2>/dev/null; do
  kill -0 $pid 2>/dev/null || { echo "B ended before it got that far; see $W/b1.err" >&2; exit 1; }
  sleep 0.2
done
[ "$SIGNAL" = KILL ] && sleep 1
t0=$(date +%s.%N)
kill -"$SIGNAL" $pid
status=0; wait $pid || status=$?
printf 'B stopped with status %d, %.1f s after SIG%s, after: %s\n' "$status" \
  "$(echo "$(date +%s.%N) - $t0" | bc)" "$SIGNAL" "$(grep 'train: step' "$W/b1.err" | tail -1)" >&2
[ "$SIGNAL" = TERM ] && { tail -1 "$W/b1.out" >&2; [ "$status" = 143 ] || { echo "expected status 143" >&2; exit 1; }; }
echo "B: rerun with the same arguments" >&2
bin/gecko train "${ARGS[@]}" --out "$W/b" > "$W/b2.out" 2> "$W/b2.err"
grep "resumed from" "$W/b2.err" >&2
bin/gecko diff "$W/a/model" "$W/b/model"
