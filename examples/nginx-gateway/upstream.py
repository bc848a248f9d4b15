#!/usr/bin/env python3
"""The API behind the gateway in this example: answers every request 200 and counts it.

Usage: upstream.py PORT. Listens on 127.0.0.1. `GET /__hits`, asked directly rather than
through nginx, answers {"total": N, "paths": {"METHOD /path": N, ...}} so a test can prove a
denied request never arrived.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HITS_PATH = "/__hits"


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    hits = {}

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == HITS_PATH:
            with Upstream.lock:
                body = {"total": sum(Upstream.hits.values()), "paths": dict(Upstream.hits)}
        else:
            with Upstream.lock:
                key = f"{self.command} {self.path}"
                Upstream.hits[key] = Upstream.hits.get(key, 0) + 1
            body = {"served_by": "upstream", "method": self.command, "path": self.path}
        payload = json.dumps(body).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = answer

    def log_message(self, format, *args):
        # Quiet: the counts are the record, and nginx keeps an access log.
        pass


if __name__ == "__main__":
    port = int(sys.argv[1])
    ThreadingHTTPServer(("127.0.0.1", port), Upstream).serve_forever()
