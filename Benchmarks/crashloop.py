#!/usr/bin/env python3
"""The checker behind Benchmarks/crashloop.sh (run that; it builds the binary and cleans up).

Each cycle: mixed load from several client threads against `tally serve`, SIGKILL at a seeded
random moment with requests in flight, `tally verify` on the killed server's file, a restart, and
then the checks:

  * balance bracket (before anything is retried): for every account, the observed
    (available, held) minus the sum of every acknowledged effect must be the sum of some subset
    of the effects of the requests that got no answer (each of those may or may not have applied,
    nothing else may differ);
  * resolution: every unanswered request is sent again with its key and body, as a client would;
    the answer says whether it had applied (Idempotent-Replayed: true) or applies now;
  * ledger: the account's new ledger entries are exactly the acknowledged and resolved
    mutations, one entry each with the right type, amount and reference (nothing lost, nothing
    applied twice), and the account's seq stays gap-free;
  * balance exact: (available, held) equal the sum of all known effects;
  * keys, endpoints: each created key is listed with the right status, each touched webhook
    endpoint reads back with its last acknowledged description;
  * replays: a sample of acknowledged keys (this cycle's and older ones, 2xx answers and 402
    denials, which are stored under their key too) sent again answer the same status and the
    same body bytes with Idempotent-Replayed: true (issuing a key or an endpoint answers the
    object as it is now, docs/api.md: compared field by field, without the key's secret).

Endpoint PATCH and key DELETE ignore Idempotency-Key (docs/api.md); they are sent with one anyway
and checked by reading the object back, never replayed.

After the last cycle a full pass reads every account's whole ledger, every debit and hold by id,
every key and every endpoint, then stops the server with SIGTERM and runs verify once more.
Standard library only.
"""

import argparse
import calendar
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

ACCOUNTS = 8
HOLD_TTL = 7 * 24 * 3600  # the maximum: no hold may expire during a run
PACKS = {"starter-1k": 1000, "pro-10k": 10000}
OPERATIONS = {"embedding": 1, "search.query": 2, "chat.completion": 10}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Violation(Exception):
    pass


class Server:
    """One `tally serve` child on a fresh free port."""

    def __init__(self, args, log_dir, cycle):
        self.port = free_port()
        env = dict(os.environ)
        env.update({
            "TALLY_ADMIN_TOKEN": args.token, "TALLY_DATABASE": args.database,
            "TALLY_LISTEN": f"127.0.0.1:{self.port}", "TALLY_CONFIG": args.config,
        })
        self.stdout_path = os.path.join(log_dir, "serve.out")
        self.stderr_path = os.path.join(log_dir, "serve.err")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([args.binary, "serve"], env=env, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL)
        with open(os.path.join(log_dir, "serve.pid"), "w") as f:  # for crashloop.sh's cleanup
            f.write(str(self.proc.pid))
        began = time.monotonic()
        while True:
            with open(self.stdout_path, "rb") as f:
                if b"listening" in f.read():
                    break
            if self.proc.poll() is not None or time.monotonic() - began > 60:
                raise Violation(f"cycle {cycle}: tally serve did not start (exit {self.proc.poll()}); "
                                f"stderr tail: {self.stderr_tail()}")
            time.sleep(0.005)
        self.start_ms = (time.monotonic() - began) * 1000

    def stderr_tail(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Client:
    """A keep-alive HTTP/1.1 connection with the admin token."""

    def __init__(self, port, token):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.conn = None

    def request(self, method, path, body=None, key=None, timeout=30):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = dict(self.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except Exception:
            self.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, data, response.getheader("Idempotent-Replayed")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def effect(m):
    """(Δavailable, Δheld) of a mutation that was approved (2xx)."""
    kind = m["kind"]
    if kind in ("topup", "pack"):
        return (m["amount"], 0)
    if kind == "debit":
        return (-m["amount"], 0)
    if kind == "hold":
        return (-m["amount"], m["amount"])
    if kind == "capture":
        return (m["hold_amount"] - m["amount"], -m["hold_amount"])
    if kind == "void":
        return (m["hold_amount"], -m["hold_amount"])
    if kind == "refund":
        return (m["amount"], 0)
    return (0, 0)


class Model:
    """What the acknowledged answers say the server holds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accounts = {}          # id -> dict
        self.debits = {}            # dbt id -> {account, amount, refunded, hold}
        self.holds = {}             # hld id -> {account, amount, status, debit}
        self.keys = {}              # key id -> {account, status}
        self.endpoints = {}         # we id -> {description}
        self.expected = {}          # account -> {entry match key -> (type, amount)}
        self.mutations = 0          # acknowledged (2xx) mutations in total
        self.denials = 0            # acknowledged business denials (402) in total

    def account(self, account_id):
        return self.accounts[account_id]

    def apply(self, m, status, data):
        """Records the answer to mutation `m`: its ids and effect. Caller holds no lock."""
        body = json.loads(data) if data else {}
        with self.lock:
            if status == 402:
                self.denials += 1
                return
            self.mutations += 1
            kind = m["kind"]
            acct = m.get("account")
            if kind == "account":
                self.accounts[acct] = {"available": 0, "held": 0, "overdraft": m["overdraft"],
                                       "seen": set(), "max_seq": 0, "last_at": None, "max_key": 0}
                self.expected[acct] = {}
                return
            if kind in ("topup", "pack"):
                entry = int(body["entry"][4:])
                if body["lot"]["amount"] != m["amount"] and body.get("repaid_debt", 0) == 0:
                    raise Violation(f"{kind} {m['key']} answered lot {body['lot']} for amount {m['amount']}")
                self.expected[acct][("id", entry)] = ("credit", m["amount"])
            elif kind == "debit":
                dbt = body["id"]
                if body["cost"] != m["amount"] or body["kind"] != "debit":
                    raise Violation(f"debit {m['key']} answered {body}")
                self.debits[dbt] = {"account": acct, "amount": m["amount"], "refunded": 0, "hold": None}
                self.expected[acct][("id", int(dbt[4:]))] = ("debit", -m["amount"])
                m["id"] = dbt
            elif kind == "hold":
                hld = body["id"]
                self.holds[hld] = {"account": acct, "amount": m["amount"], "status": "pending", "debit": None}
                self.expected[acct][("hold", hld)] = ("hold", -m["amount"])
                m["id"] = hld
            elif kind == "capture":
                hold = self.holds[m["hold"]]
                hold["status"] = "captured"
                dbt = body["debit_id"]
                hold["debit"] = dbt
                if body["captured"] != m["amount"] or body["released"] != m["hold_amount"] - m["amount"]:
                    raise Violation(f"capture {m['key']} answered {body}")
                self.debits[dbt] = {"account": acct, "amount": m["amount"], "refunded": 0, "hold": m["hold"]}
                self.expected[acct][("id", int(dbt[4:]))] = ("capture", m["hold_amount"] - m["amount"])
                m["id"] = dbt
            elif kind == "void":
                self.holds[m["hold"]]["status"] = "voided"
                self.expected[acct][("release", m["hold"])] = ("release", m["hold_amount"])
            elif kind == "refund":
                debit = self.debits[m["debit"]]
                debit["refunded"] += m["amount"]
                if body["total_refunded"] != debit["refunded"]:
                    raise Violation(f"refund {m['key']} answered total {body['total_refunded']}, "
                                    f"expected {debit['refunded']}")
                self.expected[acct][("id", int(body["id"][4:]))] = ("refund", m["amount"])
            elif kind == "key":
                self.keys[body["id"]] = {"account": acct, "status": "active"}
                m["id"] = body["id"]
            elif kind == "revoke":
                self.keys[m["target"]]["status"] = "revoked"
            elif kind == "endpoint":
                self.endpoints[body["id"]] = {"description": m["description"]}
                m["id"] = body["id"]
            elif kind == "endpoint_update":
                self.endpoints[m["target"]]["description"] = m["description"]
            if acct is not None and acct in self.accounts:
                a = self.accounts[acct]
                da, dh = effect(m)
                a["available"] += da
                a["held"] += dh


class Worker(threading.Thread):
    """One client: keeps one request in flight until the kill, choosing what to do at random."""

    def __init__(self, run, index, rng):
        super().__init__(daemon=True)
        self.run_ = run
        self.index = index
        self.rng = rng
        self.client = Client(run.server.port, run.args.token)
        self.debits = []        # own debits with something left to refund
        self.holds = []         # own pending holds
        self.keys = []          # own active keys
        self.endpoints = []     # own endpoints
        self.in_flight = None   # the request sent and not yet answered
        self.unknown = None     # the request the kill left without an answer
        self.acked = []         # this cycle's acknowledged requests (for checks and replays)
        self.unexpected = []
        self.transport_retries = 0

    def next_key(self):
        return self.run_.next_key(self.index)

    def choose(self):
        r = self.rng
        acct = r.choice(self.run_.account_ids)
        roll = r.random()
        if roll < 0.02:  # more than any account has: a 402, stored under its key like any answer
            cost, hold = 10**9, r.random() < 0.5
            body = {"account": acct, "cost": cost}
            if hold:
                body.update(hold=True, hold_ttl_seconds=HOLD_TTL)
            return {"kind": "hold" if hold else "debit", "account": acct, "amount": cost, "method": "POST",
                    "path": "/v1/authorize", "body": body}
        if roll < 0.34:
            if r.random() < 0.2:
                op, qty = r.choice(list(OPERATIONS.items())), r.randint(1, 4)
                body = {"account": acct, "operation": op[0], "quantity": qty}
                return {"kind": "debit", "account": acct, "amount": op[1] * qty, "method": "POST",
                        "path": "/v1/authorize", "body": body}
            cost = r.randint(1, 40)
            return {"kind": "debit", "account": acct, "amount": cost, "method": "POST",
                    "path": "/v1/authorize", "body": {"account": acct, "cost": cost}}
        if roll < 0.48:
            amount = r.randint(10, 200)
            return {"kind": "hold", "account": acct, "amount": amount, "method": "POST", "path": "/v1/authorize",
                    "body": {"account": acct, "cost": amount, "hold": True, "hold_ttl_seconds": HOLD_TTL}}
        if roll < 0.62 and self.holds:
            hold = self.holds.pop(r.randrange(len(self.holds)))
            which = r.random()
            if which < 0.4:  # partial capture: take part, release the rest
                amount = r.randint(1, hold["amount"])
                return {"kind": "capture", "account": hold["account"], "hold": hold["id"], "amount": amount,
                        "hold_amount": hold["amount"], "method": "POST",
                        "path": f"/v1/holds/{hold['id']}/capture", "body": {"amount": amount}}
            if which < 0.75:  # final capture of everything held
                return {"kind": "capture", "account": hold["account"], "hold": hold["id"], "amount": hold["amount"],
                        "hold_amount": hold["amount"], "method": "POST",
                        "path": f"/v1/holds/{hold['id']}/capture", "body": {}}
            return {"kind": "void", "account": hold["account"], "hold": hold["id"], "hold_amount": hold["amount"],
                    "method": "POST", "path": f"/v1/holds/{hold['id']}/void", "body": {}}
        if roll < 0.72 and self.debits:
            i = r.randrange(len(self.debits))
            debit = self.debits[i]
            amount = debit["left"] if r.random() < 0.4 else r.randint(1, debit["left"])
            debit["left"] -= amount
            if debit["left"] == 0:
                self.debits.pop(i)
            body = {"amount": amount}
            if r.random() < 0.3:
                body["reason"] = "crashloop"
            return {"kind": "refund", "account": debit["account"], "debit": debit["id"], "amount": amount,
                    "method": "POST", "path": f"/v1/debits/{debit['id']}/refund", "body": body}
        if roll < 0.86:
            amount = r.randint(100, 1500)
            body = {"amount": amount}
            if r.random() < 0.5:
                body["reference"] = f"pay_{r.getrandbits(40):x}"
            return {"kind": "topup", "account": acct, "amount": amount, "method": "POST",
                    "path": f"/v1/accounts/{acct}/topups", "body": body}
        if roll < 0.91:
            pack = r.choice(list(PACKS))
            return {"kind": "pack", "account": acct, "amount": PACKS[pack], "method": "POST",
                    "path": f"/v1/accounts/{acct}/packs", "body": {"pack": pack, "reference": f"pi_{r.getrandbits(40):x}"}}
        if roll < 0.945:
            if self.keys and r.random() < 0.5:
                key = self.keys.pop(r.randrange(len(self.keys)))
                return {"kind": "revoke", "account": key["account"], "target": key["id"], "method": "DELETE",
                        "path": f"/v1/keys/{key['id']}", "body": None}
            return {"kind": "key", "account": acct, "method": "POST", "path": f"/v1/accounts/{acct}/keys",
                    "body": {"name": f"crash-{r.getrandbits(24):x}"}}
        if self.endpoints and r.random() < 0.6:
            target = r.choice(self.endpoints)
            description = f"updated {r.getrandbits(48):x}"
            return {"kind": "endpoint_update", "account": None, "target": target, "description": description,
                    "method": "PATCH", "path": f"/v1/webhook-endpoints/{target}",
                    "body": {"description": description}}
        description = f"created {r.getrandbits(48):x}"
        return {"kind": "endpoint", "account": None, "description": description, "method": "POST",
                "path": "/v1/webhook-endpoints",
                "body": {"url": f"https://hooks.example.com/tally/{r.getrandbits(32):x}",
                         "events": ["period.reset"], "description": description}}

    def run(self):
        run = self.run_
        try:
            while not run.killing.is_set():
                m = self.choose()
                m["key"] = self.next_key()
                m["raw"] = json.dumps(m["body"]).encode() if m["body"] is not None else None
                outcome = self.send(m)
                if outcome is None:
                    return
        except Exception as error:  # a bug in this checker: make it visible
            self.unexpected.append(f"worker {self.index} crashed: {error!r}")

    def send(self, m):
        """Sends `m` until it gets a definite answer; None once the kill left it unanswered."""
        run = self.run_
        while True:
            self.in_flight = m
            try:
                status, data, replayed = self.client.request(m["method"], m["path"], m["raw"], m["key"])
            except Exception:
                self.in_flight = None
                if run.killing.is_set():
                    self.unknown = m
                    return None
                self.transport_retries += 1
                continue
            self.in_flight = None
            if status == 503:  # shed or storage trouble: nothing applied, retry the same key
                time.sleep(0.01)
                if run.killing.is_set():
                    self.unknown = m
                    return None
                continue
            self.record(m, status, data, replayed)
            return m

    def record(self, m, status, data, replayed):
        run = self.run_
        if 200 <= status < 300 or (status == 402 and m["kind"] in ("debit", "hold")):
            # After a transport retry the answer may be a replay: the stored first answer.
            m["status"], m["response"] = status, data
            run.model.apply(m, status, data)
            self.acked.append(m)
            if 200 <= status < 300:
                self.remember(m)
        else:
            self.unexpected.append(f"{m['method']} {m['path']} {m['raw']!r} key {m['key']}: {status} {data[:300]!r}")

    def remember(self, m):
        kind = m["kind"]
        if kind == "debit" or kind == "capture":
            if m["amount"] > 0:
                self.debits.append({"id": m["id"], "account": m["account"], "left": m["amount"]})
        elif kind == "hold":
            self.holds.append({"id": m["id"], "account": m["account"], "amount": m["amount"]})
        elif kind == "key":
            self.keys.append({"id": m["id"], "account": m["account"]})
        elif kind == "endpoint":
            self.endpoints.append(m["id"])


class Run:
    def __init__(self, args):
        self.args = args
        self.model = Model()
        self.account_ids = [f"crash-{i}" for i in range(ACCOUNTS)]
        self.key_lock = threading.Lock()
        self.key_counter = 0
        self.nonce = f"{args.seed:x}"
        self.server = None
        self.killing = threading.Event()
        self.reservoir = []         # older acknowledged keyed answers, sampled for replays
        self.reservoir_seen = 0
        self.rng = random.Random(args.seed)
        self.totals = {"cycles": 0, "checked": 0, "lost": 0, "extra": 0, "replays": 0, "mismatched": 0,
                       "verify_failures": 0, "unknown": 0, "unknown_applied": 0, "bracket_failures": 0,
                       "balance_failures": 0, "unexpected": 0, "denials": 0}
        self.carry_owned = [dict(debits=[], holds=[], keys=[], endpoints=[]) for _ in range(args.clients)]
        self.log_dir = args.work

    def next_key(self, thread):
        with self.key_lock:
            self.key_counter += 1
            return f"cl-{self.nonce}-{thread}-{self.key_counter}"

    def client(self):
        return Client(self.server.port, self.args.token)

    def fail(self, message):
        print(f"VIOLATION: {message}", flush=True)

    # --- setup ---------------------------------------------------------------------------

    def create_accounts(self):
        c = self.client()
        for i, acct in enumerate(self.account_ids):
            overdraft = 0 if i % 2 == 0 else 2000
            m = {"kind": "account", "account": acct, "overdraft": overdraft, "method": "POST",
                 "path": "/v1/accounts", "body": {"id": acct, "overdraft_limit": overdraft}, "key": self.next_key(99)}
            self.send_until_answered(c, m)
            t = {"kind": "topup", "account": acct, "amount": 5000, "method": "POST",
                 "path": f"/v1/accounts/{acct}/topups", "body": {"amount": 5000}, "key": self.next_key(99)}
            self.send_until_answered(c, t)
        c.close()

    def send_until_answered(self, client, m):
        m["raw"] = json.dumps(m["body"]).encode() if m["body"] is not None else None
        for _ in range(500):
            status, data, replayed = client.request(m["method"], m["path"], m["raw"], m["key"])
            if status != 503:
                break
            time.sleep(0.02)
        if not 200 <= status < 300:
            raise Violation(f"setup {m['method']} {m['path']}: {status} {data[:300]!r}")
        m["status"], m["response"] = status, data
        self.model.apply(m, status, data)
        self.offer_replay(m)
        return status, data, replayed

    # --- one cycle -----------------------------------------------------------------------

    def cycle(self, n):
        args = self.args
        kill_ms = self.rng.randint(args.min_ms, args.max_ms)
        self.killing.clear()
        workers = []
        for i in range(args.clients):
            w = Worker(self, i, random.Random(f"{args.seed}-{n}-{i}"))
            owned = self.carry_owned[i]
            w.debits, w.holds, w.keys, w.endpoints = owned["debits"], owned["holds"], owned["keys"], owned["endpoints"]
            workers.append(w)
        began = time.monotonic()
        for w in workers:
            w.start()
        time.sleep(kill_ms / 1000)
        in_flight = sum(1 for w in workers if w.in_flight is not None)
        self.killing.set()
        self.server.kill9()
        for w in workers:
            w.join(timeout=60)
            w.client.close()
            if w.is_alive():
                raise Violation(f"cycle {n}: worker {w.index} still running 60 s after the kill")
        load_s = time.monotonic() - began

        verified, verify_ms = self.verify(n)
        self.server = Server(args, self.log_dir, n)
        acked = [m for w in workers for m in w.acked]
        unknown = [w.unknown for w in workers if w.unknown is not None]
        unexpected = [u for w in workers for u in w.unexpected]
        for u in unexpected:
            self.fail(f"cycle {n}: unexpected answer {u}")
        self.totals["unexpected"] += len(unexpected)

        bracket_ok = self.check_bracket(n, unknown)
        applied = self.resolve(n, unknown, workers)
        lost, extra = self.check_ledgers(n)
        balance_ok = self.check_balances(n)
        keys_ok = self.check_keys_and_endpoints(n, acked + unknown)
        replays, mismatched = self.replay_sample(n, acked)

        for w in workers:
            self.carry_owned[w.index] = dict(debits=w.debits, holds=w.holds, keys=w.keys, endpoints=w.endpoints)
        checked = sum(1 for m in acked if 200 <= m["status"] < 300) + sum(1 for m in unknown if m.get("status"))
        self.totals["cycles"] += 1
        self.totals["checked"] += checked
        self.totals["lost"] += lost
        self.totals["extra"] += extra
        self.totals["replays"] += replays
        self.totals["mismatched"] += mismatched
        self.totals["verify_failures"] += 0 if verified else 1
        self.totals["unknown"] += len(unknown)
        self.totals["unknown_applied"] += applied
        self.totals["bracket_failures"] += 0 if bracket_ok else 1
        self.totals["balance_failures"] += 0 if balance_ok and keys_ok else 1
        self.totals["denials"] += sum(1 for m in acked if m["status"] == 402)
        ok = verified and bracket_ok and balance_ok and keys_ok and lost == 0 and extra == 0 and mismatched == 0 \
            and not unexpected
        print(f"cycle {n}: killed after {kill_ms} ms with {in_flight} in flight; {checked} acknowledged "
              f"mutations checked ({sum(1 for m in acked if m['status'] == 402)} denials), "
              f"{len(unknown)} unanswered ({applied} had applied), lost {lost}, extra {extra}, "
              f"replays {replays} ({mismatched} mismatched), verify {'clean' if verified else 'FAILED'} "
              f"({verify_ms:.0f} ms), restart {self.server.start_ms:.0f} ms, load {load_s:.2f} s"
              + ("" if ok else "  <-- VIOLATION"), flush=True)
        return ok

    def verify(self, n):
        began = time.monotonic()
        result = subprocess.run([self.args.binary, "verify", "--database", self.args.database],
                                capture_output=True, text=True)
        ms = (time.monotonic() - began) * 1000
        ok = result.returncode == 0 and "clean" in result.stdout
        if not ok:
            self.fail(f"cycle {n}: tally verify exited {result.returncode}: {result.stdout[-2000:]} {result.stderr[-2000:]}")
        return ok, ms

    def account_balances(self, client):
        balances = {}
        for acct in self.account_ids:
            status, data, _ = client.request("GET", f"/v1/accounts/{acct}")
            if status != 200:
                raise Violation(f"GET account {acct}: {status} {data[:300]!r}")
            balances[acct] = json.loads(data)["balance"]
        return balances

    def check_bracket(self, n, unknown):
        """Observed − acknowledged must be the effect of some subset of the unanswered requests."""
        client = self.client()
        balances = self.account_balances(client)
        client.close()
        ok = True
        for acct in self.account_ids:
            a = self.model.account(acct)
            effects = [effect(m) for m in unknown if m.get("account") == acct]
            sums = {(0, 0)}
            for da, dh in effects:
                sums |= {(sa + da, sh + dh) for sa, sh in sums}
            check_held = a["overdraft"] == 0
            delta = (balances[acct]["available"] - a["available"], balances[acct]["held"] - a["held"])
            allowed = {(sa, sh if check_held else 0) for sa, sh in sums}
            if (delta[0], delta[1] if check_held else 0) not in allowed:
                ok = False
                self.fail(f"cycle {n}: {acct} balance {balances[acct]} differs from the acknowledged "
                          f"available {a['available']} held {a['held']} by {delta}, which no subset of the "
                          f"unanswered effects {effects} explains")
        return ok

    def resolve(self, n, unknown, workers):
        """Sends every unanswered request again with its key; returns how many had applied."""
        client = self.client()
        applied = 0
        for m in unknown:
            status, data, replayed = None, b"", None
            for _ in range(500):
                status, data, replayed = client.request(m["method"], m["path"], m["raw"], m["key"])
                if status != 503:
                    break
                time.sleep(0.02)
            worker = workers[int(m["key"].split("-")[2])] if m["key"].split("-")[2].isdigit() else None
            keyed = m["kind"] not in ("revoke", "endpoint_update")
            if keyed and replayed == "true":
                applied += 1
            if 200 <= status < 300 or (status == 402 and m["kind"] in ("debit", "hold")):
                m["status"], m["response"] = status, data
                self.model.apply(m, status, data)
                if worker is not None and 200 <= status < 300:
                    worker.remember(m)
                if replayed == "true":
                    self.offer_replay(m)
            elif m["kind"] == "revoke" and status == 200:
                pass
            else:
                self.totals["unexpected"] += 1
                self.fail(f"cycle {n}: resending unanswered {m['method']} {m['path']} {m['raw']!r} key {m['key']}: "
                          f"{status} {data[:300]!r}")
        client.close()
        return applied

    def read_ledger(self, client, acct, from_at=None):
        entries = []
        cursor = None
        while True:
            query = "limit=1000"
            if from_at:
                query += f"&from={from_at}"
            if cursor:
                query += f"&after={cursor}"
            status, data, _ = client.request("GET", f"/v1/accounts/{acct}/ledger?{query}")
            if status != 200:
                raise Violation(f"GET ledger {acct}: {status} {data[:300]!r}")
            page = json.loads(data)
            entries += page["data"]
            cursor = page["next_cursor"]
            if not cursor:
                return entries

    @staticmethod
    def match_key(entry):
        kind = entry["type"]
        if kind == "hold":
            return ("hold", entry["ref"])
        if kind == "release":
            return ("release", entry["ref"])
        return ("id", int(entry["id"][4:]))

    @staticmethod
    def earlier(at, ms):
        t = time.strptime(at[:19], "%Y-%m-%dT%H:%M:%S")
        whole = calendar.timegm(t) * 1000 + int(at[20:23]) - ms
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole // 1000)) + f".{whole % 1000:03d}Z"

    def check_ledgers(self, n, full=False):
        """New entries (all entries when `full`) against the expected ones: (lost, extra)."""
        client = self.client()
        lost = extra = 0
        for acct in self.account_ids:
            a = self.model.account(acct)
            expected = self.model.expected[acct]
            from_at = None if full or a["last_at"] is None else self.earlier(a["last_at"], 2000)
            entries = self.read_ledger(client, acct, from_at)
            seen_now = set()
            new_seqs = []
            for e in entries:
                key = self.match_key(e)
                if full:
                    seen_now.add(key)
                elif key in a["seen"]:
                    continue
                else:
                    a["seen"].add(key)
                    new_seqs.append(e["seq"])
                want = expected.get(key)
                if want is None or want != (e["type"], e["amount"]):
                    extra += 1
                    self.fail(f"cycle {n}: {acct} ledger entry {e} matches no acknowledged or resolved "
                              f"mutation (expected {want})")
                if a["last_at"] is None or e["at"] > a["last_at"]:
                    a["last_at"] = e["at"]
            if full:
                seqs = sorted(e["seq"] for e in entries)
                if seqs != list(range(1, len(seqs) + 1)):
                    self.fail(f"{acct}: ledger seqs are not 1…{len(seqs)}")
                    extra += 1
                missing = [k for k in expected if k not in seen_now]
            else:
                new_seqs.sort()
                if new_seqs and new_seqs != list(range(a["max_seq"] + 1, a["max_seq"] + 1 + len(new_seqs))):
                    self.fail(f"cycle {n}: {acct} new ledger seqs {new_seqs[:5]}… do not follow {a['max_seq']}")
                    extra += 1
                if new_seqs:
                    a["max_seq"] = new_seqs[-1]
                missing = [k for k in expected if k not in a["seen"]]
            for k in missing:
                lost += 1
                self.fail(f"cycle {n}: {acct} acknowledged mutation {k} {expected[k]} is not in the ledger")
        client.close()
        return lost, extra

    def check_balances(self, n):
        client = self.client()
        balances = self.account_balances(client)
        client.close()
        ok = True
        for acct in self.account_ids:
            a = self.model.account(acct)
            b = balances[acct]
            if b["available"] != a["available"] or (a["overdraft"] == 0 and b["held"] != a["held"]):
                ok = False
                self.fail(f"cycle {n}: {acct} balance {b} after resolving, expected available {a['available']} "
                          f"held {a['held']}")
        return ok

    def check_keys_and_endpoints(self, n, touched):
        """Keys created or revoked and endpoints created or changed in this cycle read back right."""
        client = self.client()
        ok = True
        key_accounts = {m["account"] for m in touched if m["kind"] in ("key", "revoke") and m.get("status")}
        for acct in key_accounts:
            listed = self.list_keys(client, acct)
            for key_id, state in self.model.keys.items():
                if state["account"] != acct:
                    continue
                if key_id not in listed or listed[key_id] != state["status"]:
                    ok = False
                    self.fail(f"cycle {n}: key {key_id} of {acct} is {listed.get(key_id)}, expected {state['status']}")
            for key_id in listed:
                if key_id not in self.model.keys:
                    ok = False
                    self.fail(f"cycle {n}: key {key_id} of {acct} was never acknowledged or resolved")
        endpoints = {m.get("id") or m.get("target") for m in touched
                     if m["kind"] in ("endpoint", "endpoint_update") and m.get("status")}
        for we in endpoints:
            ok &= self.check_endpoint(client, n, we)
        client.close()
        return ok

    def check_endpoint(self, client, n, we):
        status, data, _ = client.request("GET", f"/v1/webhook-endpoints/{we}")
        want = self.model.endpoints[we]["description"]
        if status != 200 or json.loads(data).get("description") != want:
            self.fail(f"cycle {n}: endpoint {we}: {status} {data[:300]!r}, expected description {want!r}")
            return False
        return True

    def list_keys(self, client, acct):
        listed, after = {}, None
        while True:
            path = f"/v1/accounts/{acct}/keys?limit=1000" + (f"&after={after}" if after else "")
            status, data, _ = client.request("GET", path)
            if status != 200:
                raise Violation(f"GET keys {acct}: {status} {data[:300]!r}")
            page = json.loads(data)
            for k in page["data"]:
                listed[k["id"]] = k["status"]
            after = page["next_cursor"]
            if not after:
                return listed

    # --- replays -------------------------------------------------------------------------

    def offer_replay(self, m):
        """Reservoir sampling over every acknowledged keyed answer, for later cycles' replays."""
        if m["kind"] in ("revoke", "endpoint_update"):
            return
        item = {k: m[k] for k in ("kind", "method", "path", "raw", "key", "status", "response", "account")}
        item["id"] = m.get("id")
        self.reservoir_seen += 1
        if len(self.reservoir) < 4000:
            self.reservoir.append(item)
        else:
            j = self.rng.randrange(self.reservoir_seen)
            if j < 4000:
                self.reservoir[j] = item

    def replay_sample(self, n, acked):
        keyed = [m for m in acked if m["kind"] not in ("revoke", "endpoint_update")]
        sample = self.rng.sample(keyed, min(self.args.replays, len(keyed)))
        older = self.rng.sample(self.reservoir, min(self.args.replays, len(self.reservoir)))
        client = self.client()
        mismatched = 0
        for m in sample + older:
            status, data, replayed = client.request(m["method"], m["path"], m["raw"], m["key"])
            problem = self.replay_problem(client, m, status, data, replayed)
            if problem:
                mismatched += 1
                self.fail(f"cycle {n}: replay of {m['method']} {m['path']} {m['raw']!r} key {m['key']}: {problem}")
        client.close()
        for m in acked:
            self.offer_replay(m)
        return len(sample) + len(older), mismatched

    def replay_problem(self, client, m, status, data, replayed):
        if replayed != "true":
            return f"answered {status} without Idempotent-Replayed: true: {data[:300]!r}"
        if status != m["status"]:
            return f"status {status}, first answer {m['status']}"
        if m["kind"] == "key":
            # Issuing answers the key as it is now, without the secret shown once.
            first, now = json.loads(m["response"]), json.loads(data)
            state = self.model.keys[first["id"]]["status"]
            if now.get("key") is not None:
                return f"the replay repeats the key's secret: {now}"
            fixed = ("id", "account", "prefix", "name", "mode", "created_at", "expires_at", "rate_limit")
            if any(first.get(f) != now.get(f) for f in fixed) or now["status"] != state:
                return f"answered {now}, first {first}, expected status {state}"
            return None
        if m["kind"] == "endpoint":
            first, now = json.loads(m["response"]), json.loads(data)
            want = self.model.endpoints[first["id"]]["description"]
            fixed = ("id", "url", "events", "account", "secret", "created_at")
            if any(first.get(f) != now.get(f) for f in fixed) or now.get("description") != want:
                return f"answered {now}, first {first}, expected description {want!r}"
            return None
        if data != m["response"]:
            return f"body differs:\n  first  {m['response'][:400]!r}\n  replay {data[:400]!r}"
        return None

    # --- the end -------------------------------------------------------------------------

    def final_pass(self):
        """Everything acknowledged over the whole run, read back once more."""
        print("final pass: every ledger, debit, hold, key and endpoint", flush=True)
        lost, extra = self.check_ledgers("final", full=True)
        ok = self.check_balances("final")
        client = self.client()
        for dbt, d in self.model.debits.items():
            status, data, _ = client.request("GET", f"/v1/debits/{dbt}")
            body = json.loads(data) if status == 200 else {}
            if status != 200 or body["amount"] != d["amount"] or body["refunded"] != d["refunded"] \
                    or body["account"] != d["account"] or body.get("hold") != d["hold"]:
                lost += 1
                self.fail(f"final: debit {dbt} reads {status} {data[:300]!r}, expected {d}")
        for hld, h in self.model.holds.items():
            status, data, _ = client.request("GET", f"/v1/holds/{hld}")
            body = json.loads(data) if status == 200 else {}
            if status != 200 or body["amount"] != h["amount"] or body["status"] != h["status"] \
                    or body.get("debit_id") != h["debit"]:
                lost += 1
                self.fail(f"final: hold {hld} reads {status} {data[:300]!r}, expected {h}")
        for acct in self.account_ids:
            listed = self.list_keys(client, acct)
            want = {k: s["status"] for k, s in self.model.keys.items() if s["account"] == acct}
            if listed != want:
                lost += 1
                self.fail(f"final: keys of {acct} differ: listed {len(listed)}, expected {len(want)}: "
                          f"{sorted(set(listed.items()) ^ set(want.items()))[:10]}")
        for we in self.model.endpoints:
            if not self.check_endpoint(client, "final", we):
                lost += 1
        client.close()
        self.totals["lost"] += lost
        self.totals["extra"] += extra
        return ok and lost == 0 and extra == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--work", required=True, help="a fresh directory for the database and logs")
    parser.add_argument("--cycles", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--min-ms", type=int, default=100, help="shortest load before the kill")
    parser.add_argument("--max-ms", type=int, default=600, help="longest load before the kill")
    parser.add_argument("--replays", type=int, default=10, help="keys replayed per cycle from this cycle, and as many older")
    parser.add_argument("--keep-going", action="store_true", help="run every cycle even after a violation")
    args = parser.parse_args()
    args.database = os.path.join(args.work, "crash.db")
    args.token = "crashloop-admin-" + f"{args.seed:x}".rjust(16, "0")

    run = Run(args)
    began = time.monotonic()
    print(f"crashloop: seed {args.seed}, {args.cycles} cycles, {args.clients} clients, kill after "
          f"{args.min_ms}–{args.max_ms} ms, binary {args.binary}", flush=True)
    ok = True
    try:
        run.server = Server(args, args.work, 0)
        run.create_accounts()
        for n in range(1, args.cycles + 1):
            ok &= run.cycle(n)
            if not ok and not args.keep_going:
                break
        ok &= run.final_pass()
        code = run.server.stop()
        if code != 0:
            ok = False
            run.fail(f"tally serve exited {code} on SIGTERM")
        verified, _ = run.verify("final")
        ok &= verified
        run.totals["verify_failures"] += 0 if verified else 1
    except Violation as error:
        run.fail(str(error))
        ok = False
    finally:
        if run.server is not None and run.server.proc.poll() is None:
            run.server.proc.kill()
            run.server.proc.wait()
    t = run.totals
    elapsed = time.monotonic() - began
    per_cycle = elapsed / max(1, t["cycles"])
    print(f"summary: seed {args.seed}; {t['cycles']} cycles in {elapsed:.0f} s ({per_cycle:.2f} s/cycle); "
          f"{run.model.mutations} acknowledged mutations checked, plus {t['denials']} acknowledged denials; "
          f"lost {t['lost']}, extra {t['extra']}; mismatched replays {t['mismatched']} of {t['replays']}; "
          f"verify failures {t['verify_failures']}; balance bracket failures {t['bracket_failures']}, "
          f"balance/key/endpoint failures {t['balance_failures']}; unexpected answers {t['unexpected']}; "
          f"unanswered at kills {t['unknown']} ({t['unknown_applied']} had applied)", flush=True)
    print("result: " + ("PASS" if ok else "FAIL"), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
