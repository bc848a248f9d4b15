#!/usr/bin/env python3
"""Reproduces a wrong idempotent replay that Benchmarks/crashloop.sh found (seed 43, cycle 16).

A 402 insufficient_credits is stored under its Idempotency-Key with the balance the account had
when it was refused, and a replay answers that stored balance. The first answer, though, reads
the balance again after the refusal (TallyAPI.denial in AuthorizeHandlers.swift), so when anything
changes the account in between, the first body and its replay differ, and the first body
contradicts itself ("detail": "... (available 1)" beside "balance": {"available": 2, ...}).
docs/api.md promises "the first status and problem body" on a replayed denial.

No crash is involved: three clients top the account up by 1 while a fourth sends 300 refused
authorizations with fresh keys, then every key is sent again and each pair compared. Exit 1 when
any pair differs.

    python3 Benchmarks/denial-replay.py [BINARY]        (default .build/release/tally)
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/tally"
config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "config", "tally.json")
token = "denial-replay-admin-token"
work = tempfile.mkdtemp(prefix="tally-denial-replay.")
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
env = dict(os.environ, TALLY_ADMIN_TOKEN=token, TALLY_DATABASE=f"{work}/r.db",
           TALLY_LISTEN=f"127.0.0.1:{port}", TALLY_CONFIG=config)
with open(f"{work}/out", "wb") as out:
    server = subprocess.Popen([binary, "serve"], env=env, stdout=out, stderr=subprocess.DEVNULL)


def request(conn, method, path, body, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    conn.request(method, path, json.dumps(body), headers)
    response = conn.getresponse()
    return response.status, response.read(), response.getheader("Idempotent-Replayed")


try:
    for _ in range(1000):
        with open(f"{work}/out", "rb") as f:
            if b"listening" in f.read():
                break
        time.sleep(0.01)
    main = http.client.HTTPConnection("127.0.0.1", port)
    request(main, "POST", "/v1/accounts", {"id": "acct"})
    stop = threading.Event()

    def top_up(n):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        i = 0
        while not stop.is_set():
            i += 1
            request(conn, "POST", "/v1/accounts/acct/topups", {"amount": 1}, f"t{n}-{i}")

    threads = [threading.Thread(target=top_up, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    refused = {"account": "acct", "cost": 10**9}
    first = [(f"d{i}", request(main, "POST", "/v1/authorize", refused, f"d{i}")) for i in range(300)]
    stop.set()
    for t in threads:
        t.join()
    differ = 0
    for key, (status, body, _) in first:
        again, replay, replayed = request(main, "POST", "/v1/authorize", refused, key)
        if (again, replay, replayed) != (status, body, "true"):
            differ += 1
            if differ == 1:
                print(f"first  {status}: {body.decode()}\nreplay {again} (Idempotent-Replayed: {replayed}): "
                      f"{replay.decode()}")
    print(f"{differ} of {len(first)} replayed 402s differ from their first answer")
    sys.exit(1 if differ else 0)
finally:
    server.kill()
    server.wait()
    shutil.rmtree(work, ignore_errors=True)
