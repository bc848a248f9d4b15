-- wrk script: POST /v1/accounts/acct-N/topups {"amount": 1} for a random account out of 10,000,
-- paced by delay() so the event rate is bounded: each top-up writes one credits.added event,
-- fanned out to every webhook endpoint. Used by Benchmarks/webhooks.sh.
--
--   TALLY_TOKEN=... TALLY_TOPUP_DELAY_MS=10 wrk -t1 -c10 -d15s -s Benchmarks/wrk/topup.lua http://127.0.0.1:8080

local token = os.getenv("TALLY_TOKEN") or ""
local accounts = tonumber(os.getenv("TALLY_ACCOUNTS") or "10000")
local pause = tonumber(os.getenv("TALLY_TOPUP_DELAY_MS") or "10")

function init(args)
  math.randomseed(os.time() + math.random(1, 1e6))
end

function request()
  local path = string.format("/v1/accounts/acct-%d/topups", math.random(0, accounts - 1))
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  return wrk.format("POST", path, headers, '{"amount": 1}')
end

function delay()
  return pause
end
