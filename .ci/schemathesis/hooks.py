"""Gives generated requests what a real client always sends and no schema can say.

- A fresh idempotency key per request: a key reused with another body is refused by design
  (422 idempotency_key_reused), and the header and the `idempotency_key` member must agree.
  Keys that break the schema (negative cases) are left as generated.
- A time in the future where the API wants one (`expires_at` of a top-up or key): a past one is
  refused (422 invalid_expiry); JSON Schema cannot compare a time with now.
"""
import re
import uuid
from datetime import datetime, timedelta, timezone

import schemathesis

KEY = re.compile(r"^[!-~]{1,255}$")


def _fresh_key():
    return "st-" + uuid.uuid4().hex


def _future(text):
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, TypeError):
        return text  # not a time: a negative case, left as it is
    now = datetime.now(timezone.utc)
    if when.tzinfo is None or when > now:
        return text
    return (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    body = case.body if isinstance(case.body, dict) else None
    header_key = headers.get("Idempotency-Key")
    body_key = body.get("idempotency_key") if body is not None else None
    valid = [k for k in (header_key, body_key) if isinstance(k, str) and KEY.match(k)]
    invalid = [k for k in (header_key, body_key) if k is not None and not (isinstance(k, str) and KEY.match(k))]
    if valid and not invalid:
        fresh = _fresh_key()
        if header_key is not None:
            headers["Idempotency-Key"] = fresh
            case.headers = headers
        if body_key is not None:
            body["idempotency_key"] = fresh
    if body is not None and isinstance(body.get("expires_at"), str):
        body["expires_at"] = _future(body["expires_at"])
