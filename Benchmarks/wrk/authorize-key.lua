-- wrk script: POST /v1/authorize with a random customer API key (read from TALLY_KEYS, one per
-- line, made by Benchmarks/wrk/seed_keys.py) instead of an account, a fresh Idempotency-Key each.
local token = os.getenv("TALLY_TOKEN") or ""
local keys = {}
local threads = 0
local sent = 0
local prefix

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  for line in io.lines(os.getenv("TALLY_KEYS")) do keys[#keys + 1] = line end
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  prefix = string.format("wrk-key-%d-%d-%d-", os.time(), thread_id or 0, math.random(1, 1e9))
end

function request()
  sent = sent + 1
  local body = string.format('{"api_key": "%s", "cost": 1}', keys[math.random(1, #keys)])
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = prefix .. sent,
  }
  return wrk.format("POST", "/v1/authorize", headers, body)
end
