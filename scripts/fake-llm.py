#!/usr/bin/env python3
"""A scripted OpenAI-compatible endpoint on 127.0.0.1 for fault injection and throughput benchmarks.

A real model server cannot be made to time out, rate-limit or send garbage on demand; this one can.
Usage: fake-llm.py [--mode MODE] [--delay SECONDS] [--port N]   (prints the port on its first line)
Modes:
  ok         valid streamed grades quoting the answer's first words; follow-ups are short questions
  invent     valid grades whose quotes are not in the answer
  drift      like ok, but every other call says every criterion is missed (verdicts that change between runs)
  confirm    like ok, and confirms every misconception the prompt marks as flagged by the word-matching detector
  probe-leak like invent, and a probe it is asked to write states the missing point (viva must reject it)
  429        the first --fail-count requests get 429 with Retry-After: 1, then ok
  500        every request gets 500
  garbage    200 with text that is not JSON
  badschema  200 with JSON of the wrong shape
  cut        the stream breaks off after one chunk
  hang       never answers within any sane timeout
  noschema   400 for json_schema response formats (json_object works)
  reflect    401 whose error message echoes the Authorization header (a careless proxy)
  draft      rubric drafts (viva bank draft) built from the sample answer in the prompt: its sentences as criteria
             without patterns, a misconception with correct statements, a three-rung ladder with numbers
  draft-bad  like draft, but the misconception's pattern is a word of the first sentence, which is also listed as a
             correct statement: the draft trips its own fairness check every time
  draft-long like draft, but the reply stops halfway with finish_reason "length" (a model out of tokens mid-draft)
  digit      holistic grades (viva --holistic): the one-token reply "4", with top log-probabilities 4: 0.6, 5: 0.3,
             3: 0.1 when the request asks for them (an expected digit of 4.2); --digit D replies D with certainty
Options: --log FILE appends one JSON line per chat request ({"n", "kind", "messages"}).
"""
import argparse
import json
import math
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
COUNT = {"n": 0}
LOCK = threading.Lock()


def answer_text(messages):
    for m in messages:
        c = m.get("content") or ""
        hit = re.search(r"<<<ANSWER [0-9a-f]+>>>\n(.*?)\n<<<END ANSWER", c, re.S)
        if hit:
            return hit.group(1)
    return ""


def grade_json(req):
    schema = (req.get("response_format") or {}).get("json_schema", {}).get("schema", {})
    if "ok" in schema.get("properties", {}):
        return json.dumps({"ok": True})
    ids = schema.get("properties", {}).get("criteria", {}).get("items", {}).get("properties", {}).get("id", {}).get("enum")
    if not ids:
        text = "\n".join(m.get("content") or "" for m in req.get("messages", []))
        ids = re.findall(r"^- ([a-z0-9-]+): ", text, re.M)
    words = answer_text(req.get("messages", [])).split()
    quote = " ".join(words[:6]) if ARGS.mode not in ("invent", "probe-leak") else "a sentence the candidate never said at all"
    # drift: every other grading call says "missed" throughout, like a model whose verdicts change between runs.
    verdict = "missed" if ARGS.mode == "drift" and COUNT["n"] % 2 == 0 else "met"
    crit = [{"id": i, "evidence": [quote] if quote else [], "rationale": "stated", "verdict": verdict} for i in ids]
    mis = []
    if ARGS.mode == "confirm":
        text = "\n".join(m.get("content") or "" for m in req.get("messages", []))
        flagged = re.findall(r"^- ([a-z0-9-]+): .*\[a word-matching detector flagged", text, re.M)
        mis = [{"id": i, "evidence": quote} for i in flagged]
    return json.dumps({"criteria": crit, "misconceptions": mis, "flags": {"off_topic": False, "injection_attempt": False}})


def is_draft(req):
    schema = (req.get("response_format") or {}).get("json_schema", {}).get("schema", {})
    if "ladder" in schema.get("properties", {}):
        return True
    return '"ladder"' in "\n".join(m.get("content") or "" for m in req.get("messages", []))


def draft_json(req, bad):
    sample = answer_text(req.get("messages", []))
    sents = [s.strip() for s in re.split(r"(?<=[.!?])\s+", sample) if s.strip()] or ["No sample answer."]
    crit = [{"statement": s, "weight": 30 if i == 0 else 20, "patterns": [], "needs": "none"} for i, s in enumerate(sents[:4])]
    if bad:
        word = max(re.findall(r"[A-Za-z]{5,}", sents[0]) or ["answer"], key=len).lower()
        mis = {"statement": f"Believes {word} never matters.", "patterns": [word], "penalty": 15,
               "challenge": "How would you test that?", "correct": [sents[0]]}
    else:
        mis = {"statement": "Believes the method works without any training data at all.",
               "patterns": ["(needs|requires) no training data", "without any training data"], "penalty": 15,
               "challenge": "Where would the weights come from?",
               "correct": ["The method is trained on labelled examples before it is used.",
                           "Its weights are fitted to a labelled training set."]}
    ladder = [
        {"stage": "implementation", "question": "How would you implement this, step by step, in code?", "constraints": [],
         "criteria": [{"statement": "Processes the inputs in vectorised batches on the GPU rather than one at a time.", "weight": 60, "patterns": ["vectori* | batch*"], "needs": "none"},
                      {"statement": "Caches intermediate results that do not change between calls.", "weight": 40, "patterns": ["cach*"], "needs": "none"}]},
        {"stage": "constraints", "question": "With a budget of 20 ms per frame at 30 FPS on one GPU with 4 GB, does it fit?",
         "constraints": ["20 ms per frame", "30 FPS", "4 GB of GPU memory"],
         "criteria": [{"statement": "At 30 FPS each frame has 33 ms, so a 20 ms model leaves 13 ms for the rest.", "weight": 50, "patterns": ["#33 + ms", "#13 + ms"], "needs": "arithmetic"},
                      {"statement": "Cuts precision or input size when the budget is exceeded.", "weight": 50, "patterns": ["fp16 | int8 | quantiz* | lower resolution"], "needs": "none"}]},
        {"stage": "failure_modes", "question": "Where would this approach fail in production, and how would you notice?", "constraints": [],
         "criteria": [{"statement": "Inputs unlike the training data degrade it; monitor confidence and error rates.", "weight": 100, "patterns": ["(distribution|domain) shift"], "needs": "none"}]},
    ]
    return json.dumps({"criteria": crit, "misconceptions": [mis], "ladder": ladder, "reference": sample})


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
        elif self.path.endswith("/health"):
            self.send_json(200, {"status": "ok"})
        else:
            self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(n) or b"{}")
        with LOCK:
            COUNT["n"] += 1
            k = COUNT["n"]
            if ARGS.log:
                with open(ARGS.log, "a") as f:
                    f.write(json.dumps({"n": k, "kind": "draft" if is_draft(req) else "other", "messages": req.get("messages", [])}) + "\n")
        mode = ARGS.mode
        if mode == "reflect":
            auth = self.headers.get("Authorization", "")
            return self.send_json(401, {"error": {"message": f"invalid credentials in header Authorization: {auth}", "type": "auth_error"}})
        if mode == "hang":
            time.sleep(3600)
        if ARGS.delay:
            time.sleep(ARGS.delay)
        if mode == "429" and k <= ARGS.fail_count:
            return self.send_json(429, {"error": {"message": "slow down", "type": "rate_limit_error"}}, [("Retry-After", "1")])
        if mode == "500":
            return self.send_json(500, {"error": {"message": "boom", "type": "server_error"}})
        rf = (req.get("response_format") or {}).get("type")
        if mode == "noschema" and rf == "json_schema":
            return self.send_json(400, {"error": {"message": "response_format json_schema is not supported", "type": "invalid_request_error"}})
        text = "\n".join(m.get("content") or "" for m in req.get("messages", []))
        finish = "stop"
        if mode in ("ok", "draft", "draft-bad", "draft-long") and is_draft(req):
            content = draft_json(req, mode == "draft-bad")
            if mode == "draft-long":
                # A model that runs out of tokens mid-draft: half the JSON, stopped at the length limit.
                content, finish = content[: len(content) // 2], "length"
        elif rf is None and ("Kind: probe" in text or "Kind: challenge" in text):
            point = re.search(r"for you only: (.*)", text)
            if mode == "probe-leak" and point:
                content = "So, " + point.group(1).rstrip(".") + "?"
            else:
                content = "Going back to what you said: what would happen to a very tall, thin object at one of those positions?"
        elif rf is None and "follow-up" in json.dumps(req.get("messages", [])):
            content = "Given a 20 ms budget on a Jetson Orin with 2 GB, which part of your design would you cut first?"
        elif mode == "digit":
            content = str(ARGS.digit) if ARGS.digit is not None else "4"
        elif mode == "garbage":
            content = "I think this answer is pretty good, maybe 80 out of 100."
        elif mode == "badschema":
            content = json.dumps({"score": 100, "verdict": "excellent"})
        else:
            content = grade_json(req)
        if not req.get("stream"):
            return self.send_json(200, {"id": "x", "object": "chat.completion", "created": 0, "model": req.get("model"),
                                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
                                        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if mode == "cut":
            self.send_header("Content-Length", "100000")
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(obj):
            data = b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n"
            if mode == "cut":
                self.wfile.write(data)
            else:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        base = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": req.get("model")}
        pieces = [content[i:i + 40] for i in range(0, len(content), 40)] or [""]
        if mode == "cut":
            chunk(dict(base, choices=[{"index": 0, "delta": {"content": pieces[0]}, "finish_reason": None}]))
            self.close_connection = True
            return
        for k, p in enumerate(pieces):
            choice = {"index": 0, "delta": {"content": p}, "finish_reason": None}
            if k == 0 and mode == "digit" and req.get("logprobs"):
                alts = [(content, 1.0)] if ARGS.digit is not None else [("4", 0.6), ("5", 0.3), ("3", 0.1)]
                top = [{"token": t, "logprob": math.log(q), "bytes": list(t.encode())} for t, q in alts]
                choice["logprobs"] = {"content": [dict(top[0], top_logprobs=top)]}
            chunk(dict(base, choices=[choice]))
        chunk(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": finish}]))
        chunk(dict(base, choices=[], usage={"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}))
        chunk(b"[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fail-count", type=int, default=2)
    ap.add_argument("--log", default="")
    ap.add_argument("--digit", type=int, default=None)
    ARGS = ap.parse_args()
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), H)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
