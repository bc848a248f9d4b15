-- wrk script: a client calling the API behind nginx (POST /v1/chat/completions, priced by the
-- gateway routes) with a random customer key from TALLY_KEYS as its bearer token.
local keys = {}

function init(args)
  for line in io.lines(os.getenv("TALLY_KEYS")) do keys[#keys + 1] = line end
  math.randomseed(os.time())
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. keys[math.random(1, #keys)], ["Content-Type"] = "application/json" }
  return wrk.format("POST", os.getenv("GATEWAY_PATH") or "/v1/chat/completions", headers, "{}")
end
