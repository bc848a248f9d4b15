"""Checks signatures.json with an independent implementation, the `standardwebhooks` package
from PyPI (pip install standardwebhooks): every signing case must come out the same from its
signer, and every verification case must get the same verdict from its verifier.

Exit status 0 when all cases agree; the failures are listed otherwise."""
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def sign_with_library(secrets, msg_id, timestamp, body):
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return " ".join(Webhook(secret).sign(msg_id=msg_id, timestamp=moment, data=body) for secret in secrets)


def verify_with_library(case):
    headers = {"webhook-id": case["msg_id"], "webhook-timestamp": str(case["timestamp"]),
               "webhook-signature": case["signature"]}
    # The library reads the wall clock; pin it to the case's `now`.
    pinned = datetime.fromtimestamp(case["now"], tz=timezone.utc)
    with mock.patch("standardwebhooks.webhooks.datetime", wraps=datetime) as clock:
        clock.now.return_value = pinned
        for secret in case["secrets"]:
            try:
                Webhook(secret).verify(case["body"], headers, json_parse=False)
                return True
            except (WebhookVerificationError, ValueError):
                continue
    return False


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("signatures.json")
    vectors = json.loads(path.read_text(encoding="utf-8"))
    failures = []
    for case in vectors["signing"]:
        produced = sign_with_library(case["secrets"], case["msg_id"], case["timestamp"], case["body"])
        if produced != case["signature"]:
            failures.append(f"signing: {case['name']}: library gives {produced}")
    for case in vectors["verification"]:
        if verify_with_library(case) != case["valid"]:
            failures.append(f"verification: {case['name']}: library disagrees")
    for failure in failures:
        print(failure)
    print(f"standardwebhooks: {len(vectors['signing'])} signing and {len(vectors['verification'])} verification cases, "
          f"{len(failures)} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
