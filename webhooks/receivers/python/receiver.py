"""A Tally webhook receiver in Python, standard library only.

    TALLY_WEBHOOK_SECRETS="whsec_... [whsec_...]" python3 receiver.py [--port 8000]
    python3 receiver.py --check-vectors ../../vectors/signatures.json

It verifies the Standard Webhooks signature over the raw body (any of the secrets, so a rotation
needs no downtime), refuses timestamps more than 5 minutes off, drops deliveries whose
webhook-id it has already processed, and answers 204 (taken, or a duplicate), 400 (headers or
body malformed) or 401 (signature or timestamp refused). It prints `port N` once listening and
one line per delivery."""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 1 << 20


def decode_secret(secret):
    """The key bytes of `whsec_<base64>`; missing padding is tolerated."""
    text = secret.removeprefix("whsec_")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def sign(key, msg_id, timestamp, body):
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for one key."""
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify(keys, msg_id, timestamp, signature, body, now):
    """'valid', or why not: 'malformed' (answer 400) or 'refused' (answer 401)."""
    if not msg_id or not timestamp or not signature:
        return "malformed"
    if not timestamp.isdigit():
        return "malformed"
    if abs(int(timestamp) - now) > TOLERANCE_SECONDS:
        return "refused"
    offered = [entry for entry in signature.split(" ") if entry.startswith("v1,")]
    for key in keys:
        expected = sign(key, msg_id, timestamp, body)
        # compare_digest takes the same time wherever the strings differ.
        if any(hmac.compare_digest(expected.encode(), entry.encode()) for entry in offered):
            return "valid"
    return "refused"


class Deliveries:
    """What this receiver has processed. In memory here; in production keep webhook-ids for at
    least 7 days in shared storage, because retries carry fresh timestamps and replays can come
    days later."""

    def __init__(self):
        self.lock = Lock()
        self.seen = {}
        self.last_seq = {}

    def first_time(self, msg_id):
        with self.lock:
            if msg_id in self.seen:
                return False
            self.seen[msg_id] = time.time()
            return True

    def is_stale(self, account, seq):
        """Events arrive in no particular order: an account_seq below the newest seen is older news."""
        with self.lock:
            newest = self.last_seq.get(account, 0)
            self.last_seq[account] = max(newest, seq)
            return seq < newest


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    keys = []
    deliveries = Deliveries()

    def log_message(self, *args):
        pass

    def answer(self, status, outcome):
        print(outcome, flush=True)
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return self.answer(413, "too-large")
        body = self.rfile.read(length)
        msg_id = self.headers.get("webhook-id")
        verdict = verify(self.keys, msg_id, self.headers.get("webhook-timestamp"),
                         self.headers.get("webhook-signature"), body, int(time.time()))
        if verdict != "valid":
            return self.answer(400 if verdict == "malformed" else 401, f"{verdict} {msg_id}")
        try:
            event = json.loads(body)
        except ValueError:
            return self.answer(400, f"malformed-body {msg_id}")
        if not self.deliveries.first_time(msg_id):
            return self.answer(204, f"duplicate {msg_id}")
        data = event.get("data") or {}
        stale = "account" in data and self.deliveries.is_stale(data["account"], data.get("account_seq", 0))
        # A real receiver would act here (or better, queue the work and answer at once).
        self.answer(204, f"accepted {msg_id} {event.get('type')}" + (" stale" if stale else ""))


def check_vectors(path):
    vectors = json.load(open(path, encoding="utf-8"))
    failures = 0
    for case in vectors["signing"]:
        keys = [decode_secret(secret) for secret in case["secrets"]]
        body = case["body"].encode()
        produced = " ".join(sign(key, case["msg_id"], case["timestamp"], body) for key in keys)
        if produced != case["signature"]:
            failures += 1
            print("signing failed:", case["name"])
    for case in vectors["verification"]:
        keys = [decode_secret(secret) for secret in case["secrets"]]
        verdict = verify(keys, case["msg_id"], str(case["timestamp"]), case["signature"], case["body"].encode(), case["now"])
        if (verdict == "valid") != case["valid"]:
            failures += 1
            print("verification failed:", case["name"])
    total = len(vectors["signing"]) + len(vectors["verification"])
    print(f"vectors: {total - failures} of {total} passed")
    return 1 if failures else 0


def main(arguments):
    if arguments[:1] == ["--check-vectors"]:
        return check_vectors(arguments[1])
    port = int(arguments[1]) if arguments[:1] == ["--port"] else 0
    secrets = os.environ.get("TALLY_WEBHOOK_SECRETS", "").replace(",", " ").split()
    if not secrets:
        print("set TALLY_WEBHOOK_SECRETS to the endpoint's whsec_ secret(s)", file=sys.stderr)
        return 2
    Handler.keys = [decode_secret(secret) for secret in secrets]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("port", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
