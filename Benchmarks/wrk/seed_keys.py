#!/usr/bin/env python3
"""Issues one API key (with a generous rate limit) for each of acct-0 ... acct-(N-1) and writes
the keys, one per line, to OUT, for Benchmarks/wrk/authorize-key.lua and gateway.lua.

    TALLY_TOKEN=... Benchmarks/wrk/seed_keys.py N http://127.0.0.1:8080 OUT
"""
import http.client
import json
import os
import sys
import urllib.parse

count = int(sys.argv[1])
url = urllib.parse.urlparse(sys.argv[2])
headers = {"Authorization": "Bearer " + os.environ["TALLY_TOKEN"], "Content-Type": "application/json"}
body = json.dumps({"name": "bench", "rate_limit": {"limit": 1000000, "window_seconds": 1}})
connection = http.client.HTTPConnection(url.hostname, url.port)
keys = []
for index in range(count):
    connection.request("POST", "/v1/accounts/acct-%d/keys" % index, body, headers)
    response = connection.getresponse()
    answer = response.read()
    if response.status != 201:
        sys.exit("seed_keys: acct-%d answered %d %s" % (index, response.status, answer[:200]))
    keys.append(json.loads(answer)["key"])
with open(sys.argv[3], "w") as out:
    out.write("\n".join(keys) + "\n")
