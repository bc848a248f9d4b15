-- wrk script: POST /v1/authorize for a random account out of 10,000 (acct-0 … acct-9999), each
-- request with a fresh Idempotency-Key, as the hot-path benchmark of DESIGN §7 asks.
--
--   TALLY_TOKEN=... wrk -t2 -c64 -d30s --latency -s Benchmarks/wrk/authorize.lua http://127.0.0.1:8080
--
-- The accounts must exist and hold credits: Benchmarks/wrk/seed.py creates them.

local token = os.getenv("TALLY_TOKEN") or ""
local accounts = tonumber(os.getenv("TALLY_ACCOUNTS") or "10000")
local threads = 0
local sent = 0
local prefix

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  prefix = string.format("wrk-%d-%d-%d-", os.time(), thread_id or 0, math.random(1, 1e9))
end

function request()
  sent = sent + 1
  local body = string.format('{"account": "acct-%d", "cost": 1}', math.random(0, accounts - 1))
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = prefix .. sent,
  }
  return wrk.format("POST", "/v1/authorize", headers, body)
end

