#!/usr/bin/env python3
"""Creates acct-0 ... acct-(N-1), each with 10^12 credits, for Benchmarks/wrk/authorize.lua.

    TALLY_TOKEN=... Benchmarks/wrk/seed.py [N] [http://127.0.0.1:8080]
"""
import http.client
import os
import sys
import threading
import time
import urllib.parse

count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
url = urllib.parse.urlparse(sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8080")
headers = {"Authorization": "Bearer " + os.environ["TALLY_TOKEN"], "Content-Type": "application/json"}
workers = 32
failures = []


def seed(worker):
    connection = http.client.HTTPConnection(url.hostname, url.port)
    for index in range(worker, count, workers):
        for path, body in [("/v1/accounts", '{"id": "acct-%d"}' % index),
                           ("/v1/accounts/acct-%d/topups" % index, '{"amount": 1000000000000}')]:
            # On a busy machine the server sheds with 503 `overloaded` before doing anything:
            # pause briefly and send again, so the seed is complete rather than half-made.
            for _ in range(100):
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                response.read()
                if response.status != 503:
                    break
                time.sleep(0.05)
            if response.status not in (201, 409):
                failures.append((path, response.status))


threads = [threading.Thread(target=seed, args=(worker,)) for worker in range(workers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("seeded %d accounts, %d failures %s" % (count, len(failures), failures[:3]))
sys.exit(1 if failures else 0)
