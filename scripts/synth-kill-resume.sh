#!/usr/bin/env bash
# Kill-and-resume check of a real `gecko synth` process against scripts/openai-loopback.py (a
# scripted OpenAI-shaped chat server: no LLM is involved, so this measures the pipeline, never the
# quality of the rows).
#   A: an uninterrupted run.
#   B: the same arguments, SIGKILLed once it has written KILL_AT rows, then rerun (it resumes).
#   Then: B's ids must be A's, each once; and `gecko train --fret` trains a few steps on B's rows.
# Usage: [SYNTH_ARGS="..."] [DELAY=0.05] [KILL_AT=20] scripts/synth-kill-resume.sh [work-dir]
#   (default /tmp/gecko-synth-kill-resume). Last stdout line: one JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/gecko-synth-kill-resume}
DELAY=${DELAY:-0.05}
KILL_AT=${KILL_AT:-20}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
ARGS=(--tasks-per-kind 4 --examples-per-task 5 --seed 7 --batch-size 4)
if [ -n "${SYNTH_ARGS:-}" ]; then read -r -a ARGS <<< "$SYNTH_ARGS"; fi
rm -rf "$W"; mkdir -p "$W"
python3 scripts/openai-loopback.py "$PORT" "$DELAY" > "$W/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until grep -q ready "$W/server.log" 2>/dev/null; do sleep 0.1; done
LLM="openai:http://127.0.0.1:$PORT/v1?model=loopback-chat"
lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }

echo "A: uninterrupted run" >&2
t0=$(date +%s.%N)
bin/gecko synth --llm "$LLM" --out "$W/a.jsonl" "${ARGS[@]}" > "$W/a.out" 2> "$W/a.err"
ta=$(echo "$(date +%s.%N) - $t0" | bc)

echo "B: the same run, SIGKILL after $KILL_AT rows, then rerun" >&2
bin/gecko synth --llm "$LLM" --out "$W/b.jsonl" "${ARGS[@]}" > "$W/b1.out" 2> "$W/b1.err" &
pid=$!   # bin/gecko execs java: this is the JVM
until [ "$(lines "$W/b.jsonl")" -ge "$KILL_AT" ]; do
  kill -0 $pid 2>/dev/null || { echo "B ended before $KILL_AT rows; see $W/b1.err" >&2; exit 1; }
  sleep 0.01
done
kill -KILL $pid; wait $pid || true
at_kill=$(lines "$W/b.jsonl")
bin/gecko synth --llm "$LLM" --out "$W/b.jsonl" "${ARGS[@]}" > "$W/b2.out" 2> "$W/b2.err"

ids() { python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1])]' "$1"; }
rows_a=$(lines "$W/a.jsonl"); rows_b=$(lines "$W/b.jsonl")
dup_b=$(ids "$W/b.jsonl" | sort | uniq -d | wc -l)
same_ids=$([ "$(ids "$W/a.jsonl" | sort)" = "$(ids "$W/b.jsonl" | sort)" ] && echo true || echo false)

echo "C: gecko train --fret on B's rows (4 steps, 16 tokens)" >&2
bin/gecko train --fret "$W/b.jsonl" --out "$W/model" --no-eval --steps 4 --batch-size 4 \
  --micro-batch 4 --query-max-length 16 --passage-max-length 16 --warmup 1 --checkpoint-every 0 \
  > "$W/train.out" 2> "$W/train.err"
train_loss=$(tail -1 "$W/train.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["final_loss"])')

python3 - "$W" "$rows_a" "$rows_b" "$at_kill" "$dup_b" "$same_ids" "$ta" "$train_loss" <<'PY'
import json, sys
w, rows_a, rows_b, at_kill, dup_b, same, ta, loss = sys.argv[1:]
a = json.loads(open(w + "/a.out").read().strip().splitlines()[-1])
b = json.loads(open(w + "/b2.out").read().strip().splitlines()[-1])
print(json.dumps({"rows_a": int(rows_a), "rows_b": int(rows_b), "rows_at_kill": int(at_kill),
                  "duplicate_ids_b": int(dup_b), "b_ids_equal_a": same == "true",
                  "resumed_rows_b": b["resumed_rows"], "dropped_a": a["dropped"],
                  "dropped_b": b["dropped"], "llm_requests_a": a["llm_requests"],
                  "wall_s_a": round(float(ta), 2), "synth_elapsed_s_a": a["elapsed_s"],
                  "train_final_loss": float(loss)}))
PY
