#!/usr/bin/env python3
"""End-to-end test of the nginx gateway example (run by run.sh, which sets the URLs).

Proves, through a real nginx: a valid key with credits reaches the upstream and is debited by
its route's price; an unknown key gets 401; an empty wallet 402; a burst 429 with Retry-After;
a revoked key 403; and the upstream is never reached on any deny. Standard library only.
"""
import http.client
import json
import os
import sys
import time
import urllib.parse

TALLY_URL = os.environ["TALLY_URL"]
GATEWAY_URL = os.environ["GATEWAY_URL"]
UPSTREAM_URL = os.environ["UPSTREAM_URL"]
ADMIN_TOKEN = os.environ["TALLY_ADMIN_TOKEN"]
# Prices of the example config (tally.json): the routes under test and their operations.
CHAT_PRICE = 10
EMBEDDING_PRICE = 1
SEARCH_PRICE = 2


class Failure(Exception):
    pass


def call(base, method, path, headers=None, body=None):
    """One request; returns (status, headers with lower-case names, decoded body)."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    payload = None if body is None else json.dumps(body).encode()
    all_headers = dict(headers or {})
    if payload is not None:
        all_headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    fields = {name.lower(): value for name, value in response.getheaders()}
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = raw.decode(errors="replace")
    return response.status, fields, decoded


def admin(method, path, body=None, expect=(200, 201)):
    status, _, answer = call(TALLY_URL, method, path, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, body)
    if status not in expect:
        raise Failure(f"{method} {path} answered {status}: {answer}")
    return answer


def through_gateway(method, path, key=None, header="Authorization"):
    headers = {}
    if key is not None:
        headers[header] = f"Bearer {key}" if header == "Authorization" else key
    return call(GATEWAY_URL, method, path, headers, {"prompt": "hi"} if method == "POST" else None)


def upstream_hits():
    return call(UPSTREAM_URL, "GET", "/__hits")[2]["total"]


def available(account):
    return admin("GET", f"/v1/accounts/{account}")["balance"]["available"]


def new_account(name, credits):
    admin("POST", "/v1/accounts", {"id": name})
    if credits:
        admin("POST", f"/v1/accounts/{name}/topups", {"amount": credits})


def new_key(account, **fields):
    """Creates a key; returns (key id, secret)."""
    answer = admin("POST", f"/v1/accounts/{account}/keys", {"name": "e2e", **fields})
    return answer["id"], answer["key"]


def expect(condition, what):
    if not condition:
        raise Failure(what)


def expect_denied(expected, path, key, header="Authorization"):
    """A request that must be refused with `expected` and never reach the upstream."""
    before = upstream_hits()
    got, fields, body = through_gateway("POST", path, key, header)
    expect(got == expected, f"expected {expected}, got {got} {fields} {body}")
    expect(upstream_hits() == before, f"a {got} reached the upstream")
    return fields


def main():
    stamp = str(int(time.time() * 1000))
    rich, empty, limited = f"gw-rich-{stamp}", f"gw-empty-{stamp}", f"gw-limited-{stamp}"
    try:
        new_account(rich, 1000)
        new_account(empty, 0)
        new_account(limited, 1000)
        _, rich_key = new_key(rich)
        _, empty_key = new_key(empty)
        _, burst_key = new_key(limited, rate_limit={"limit": 3, "window_seconds": 60})
        revoked_id, revoked_key = new_key(rich)
        admin("DELETE", f"/v1/keys/{revoked_id}", expect=(200, 204))
    except (Failure, KeyError, OSError) as error:
        print(f"FAIL setting up accounts and keys: {error}")
        return 1

    checks = []

    def check(name):
        def register(function):
            checks.append((name, function))
            return function
        return register

    @check("a valid key with credits reaches the upstream and pays the route's price")
    def valid_key():
        before = upstream_hits()
        status, fields, body = through_gateway("POST", "/v1/chat/completions", rich_key)
        expect(status == 200 and body["served_by"] == "upstream", f"got {status} {body}")
        expect(upstream_hits() == before + 1, "the upstream was not reached exactly once")
        expect(available(rich) == 1000 - CHAT_PRICE, f"balance {available(rich)}")
        expect(fields.get("x-credits-remaining") == str(1000 - CHAT_PRICE), f"headers {fields}")

    @check("X-Api-Key works as well, a query string does not change the price, a free route costs nothing")
    def other_forms():
        status, _, _ = through_gateway("GET", "/v1/search?q=credits&page=2", rich_key, header="X-Api-Key")
        expect(status == 200, f"search got {status}")
        status, _, _ = through_gateway("GET", "/v1/models", rich_key)
        expect(status == 200, f"models got {status}")
        expect(available(rich) == 1000 - CHAT_PRICE - SEARCH_PRICE, f"balance {available(rich)}")

    @check("an unknown or missing key gets 401")
    def unknown_key():
        expect_denied(401, "/v1/chat/completions", "tk_test_" + "0" * 43)
        expect_denied(401, "/v1/chat/completions", None)

    @check("an empty wallet gets 402")
    def empty_wallet():
        expect_denied(402, "/v1/chat/completions", empty_key)

    @check("a burst past the key's rate limit gets 429 with Retry-After, and costs nothing")
    def burst():
        for _ in range(3):
            status, _, _ = through_gateway("POST", "/v1/embeddings", burst_key)
            expect(status == 200, f"within the limit got {status}")
        fields = expect_denied(429, "/v1/embeddings", burst_key)
        expect(int(fields.get("retry-after", "0")) >= 1, f"Retry-After missing: {fields}")
        expect(fields.get("ratelimit-remaining") == "0", f"RateLimit-Remaining: {fields}")
        expect(available(limited) == 1000 - 3 * EMBEDDING_PRICE, f"balance {available(limited)}")

    @check("a revoked key gets 403")
    def revoked():
        expect_denied(403, "/v1/chat/completions", revoked_key)

    @check("a route with no price is refused before the upstream")
    def unpriced():
        before = upstream_hits()
        status, _, _ = through_gateway("POST", "/v1/not-priced", rich_key)
        expect(400 <= status < 500, f"got {status}")
        expect(upstream_hits() == before, "the upstream was reached")

    failed = 0
    for name, function in checks:
        try:
            function()
            print(f"ok   {name}")
        except (Failure, KeyError, TypeError, OSError) as error:
            failed += 1
            print(f"FAIL {name}: {error!r}")
    print(f"{len(checks) - failed} of {len(checks)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
