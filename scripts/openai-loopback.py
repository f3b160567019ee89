#!/usr/bin/env python3
"""A scripted OpenAI-compatible chat server on 127.0.0.1, for trying `gecko synth` without an LLM.

It answers GET /v1/models and POST /v1/chat/completions in OpenAI's / vLLM's shapes (errors as
{"error": {...}}). It is a test double, not a model: brainstorm prompts get a fixed list of four
tasks (one good, one whose examples are not JSON, one whose examples miss a key, one whose
examples all repeat one query); example prompts get a JSON example with the keys the prompt asks
for, numbered so that every good reply is distinct; the first example request gets HTTP 500.

Usage: scripts/openai-loopback.py PORT [DELAY_SECONDS]   (prints "ready" when listening)
"""
import itertools
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "loopback-chat"
TASKS = ["Find good documents for a question", "malformed task", "missing-key task",
         "duplicate task"]
counter = itertools.count(1)
lock = threading.Lock()
failed_once = [False]
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0


def keys_of(prompt):
    if '"user_query"' in prompt:
        return ["user_query", "positive_document", "hard_negative_document"]
    if '"input_text"' in prompt:
        return ["input_text", "label", "misleading_label"]
    if '"input"' in prompt:
        return ["input", "positive_document"]
    return ["S1", "S2", "S3"]


def answer(prompt):
    if prompt.startswith("Brainstorm"):
        return 200, chat(json.dumps(TASKS))
    with lock:
        if not failed_once[0]:
            failed_once[0] = True
            return 500, {"error": {"message": "The server had an error while processing your"
                                   " request.", "type": "server_error", "param": None,
                                   "code": None}}
        n = next(counter)
    keys = keys_of(prompt)
    if "task: malformed task" in prompt:
        return 200, chat('Sure! {"%s": "cut off' % keys[0])
    if "task: missing-key task" in prompt:
        return 200, chat(json.dumps({keys[0]: "only a query %d" % n}))
    values = ["query %d" % n, "a relevant text %d" % n, "a near miss %d" % n]
    if "task: duplicate task" in prompt:
        values[0] = "the same query"
    return 200, chat("```json\n" + json.dumps(dict(zip(keys, values))) + "\n```")


def chat(content):
    return {"id": "chatcmpl-%d" % time.monotonic_ns(), "object": "chat.completion",
            "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": max(1, len(content) // 4),
                      "total_tokens": 100 + max(1, len(content) // 4)}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body):
        out = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_GET(self):
        if self.path == "/v1/models":
            self.send(200, {"object": "list", "data": [{"id": MODEL, "object": "model",
                                                        "created": 0, "owned_by": "loopback"}]})
        else:
            self.send(404, {"error": {"message": "Unknown request URL: GET " + self.path,
                                      "type": "invalid_request_error", "param": None,
                                      "code": None}})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != "/v1/chat/completions":
            self.send(404, {"error": {"message": "Unknown request URL: POST " + self.path,
                                      "type": "invalid_request_error", "param": None,
                                      "code": None}})
            return
        messages = body.get("messages") or [{}]
        status, reply = answer(messages[-1].get("content", ""))
        if DELAY > 0:
            time.sleep(DELAY)
        self.send(status, reply)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("ready", flush=True)
    server.serve_forever()
