#!/usr/bin/env bash
# Walks the Tally v1 API with curl against a running server:
#
#   TALLY_ADMIN_TOKEN=dev-admin-token-123456 tally serve &
#   TALLY_ADMIN_TOKEN=dev-admin-token-123456 examples/quickstart.sh
#
# TALLY_URL defaults to http://127.0.0.1:8080. Each step prints the request and the answer.
set -euo pipefail

URL="${TALLY_URL:-http://127.0.0.1:8080}"
TOKEN="${TALLY_ADMIN_TOKEN:?set TALLY_ADMIN_TOKEN to the token the server was started with}"
ACCOUNT="quickstart-$(date +%s)"

# call METHOD PATH [JSON [EXTRA CURL ARGS...]]: prints the status line, interesting headers and body.
call() {
  local method="$1" path="$2" body="${3:-}"
  shift $(( $# < 3 ? $# : 3 ))
  echo "> $method $path ${body}"
  curl -sS -i -X "$method" "$URL$path" \
    -H "Authorization: Bearer $TOKEN" \
    ${body:+-H "Content-Type: application/json" --data "$body"} "$@" \
    | grep -v -i -E '^(date|server|content-length):' | tr -d '\r'
  echo; echo
}

# field NAME: extracts a top-level string member from the JSON on stdin (good enough for ids).
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

echo "== 1. Create an account"
call POST /v1/accounts "{\"id\": \"$ACCOUNT\", \"metadata\": {\"plan\": \"starter\"}}"

echo "== 2. Top it up with 1000 credits (the payment id as idempotency key)"
call POST "/v1/accounts/$ACCOUNT/topups" '{"amount": 1000, "reference": "pay_123"}' -H "Idempotency-Key: pay_123"

echo "== 3. Authorize and debit 25 credits"
DEBIT=$(curl -sS -X POST "$URL/v1/authorize" -H "Authorization: Bearer $TOKEN" \
  -H "Idempotency-Key: req-$ACCOUNT-1" --data "{\"account\": \"$ACCOUNT\", \"cost\": 25}" | field id)
echo "debit: $DEBIT"; echo

echo "== 4. Retry the same request with the same Idempotency-Key: same answer, Idempotent-Replayed: true"
call POST /v1/authorize "{\"account\": \"$ACCOUNT\", \"cost\": 25}" -H "Idempotency-Key: req-$ACCOUNT-1"

echo "== 5. Hold 100 credits for a variable-cost call, then capture what it really cost"
HOLD=$(curl -sS -X POST "$URL/v1/authorize" -H "Authorization: Bearer $TOKEN" \
  --data "{\"account\": \"$ACCOUNT\", \"cost\": 100, \"hold\": true, \"hold_ttl_seconds\": 120}" | field id)
echo "hold: $HOLD"; echo
call POST "/v1/holds/$HOLD/capture" '{"amount": 60}'

echo "== 6. Refund 10 credits of the first debit"
call POST "/v1/debits/$DEBIT/refund" '{"amount": 10}'
call GET "/v1/debits/$DEBIT"

echo "== 7. A charge the account cannot cover: 402 with approved: false and the balance"
call POST /v1/authorize "{\"account\": \"$ACCOUNT\", \"cost\": 1000000}"

echo "== 8. The balance and the ledger"
call GET "/v1/accounts/$ACCOUNT"
call GET "/v1/accounts/$ACCOUNT/ledger?limit=10"

echo "== 9. Buy a pack from the catalog (the payment id as idempotency key) and price a call by operation"
call GET /v1/packs
call POST "/v1/accounts/$ACCOUNT/packs" '{"pack": "starter-1k", "reference": "pay_456"}' -H "Idempotency-Key: pay_456"
call POST /v1/authorize "{\"account\": \"$ACCOUNT\", \"operation\": \"chat.completion\", \"quantity\": 3}"

echo "== 10. Usage per operation today, and the events the changes produced"
TODAY=$(date -u +%Y-%m-%dT00:00:00Z)
TOMORROW=$(date -u -d tomorrow +%Y-%m-%dT00:00:00Z)
call GET "/v1/accounts/$ACCOUNT/usage?from=$TODAY&to=$TOMORROW&granularity=day"
call GET "/v1/events?account=$ACCOUNT"

# The rest needs a server started with --test-clock.
if [ "$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/v1/test-clock")" != 200 ]; then
  echo "(start the server with --test-clock to live through a plan period next)"
  exit 0
fi
PLANNED="$ACCOUNT-growth"
PERIOD_START=$(curl -sS -H "Authorization: Bearer $TOKEN" "$URL/v1/test-clock" | field now)

echo "== 11. An account on the growth plan: 50000 credits a month, alerts below 5000 and 1000"
call POST /v1/accounts "{\"id\": \"$PLANNED\", \"plan\": \"growth\"}"

echo "== 12. Spend 46000 credits: usage alerts at 50 % and 80 %, and balance.low at 5000"
call POST /v1/authorize "{\"account\": \"$PLANNED\", \"cost\": 46000}"

echo "== 13. Move the test clock 31 days: the period resets and the balance recovers"
call POST /v1/test-clock/advance '{"seconds": 2678400}'
call GET "/v1/accounts/$PLANNED"
call GET "/v1/events?account=$PLANNED"

echo "== 14. Usage per day over the period"
NOW=$(curl -sS -H "Authorization: Bearer $TOKEN" "$URL/v1/test-clock" | field now)
call GET "/v1/accounts/$PLANNED/usage?from=$PERIOD_START&to=$NOW&granularity=day"
