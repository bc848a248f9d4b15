// A Tally webhook receiver in Node.js, standard library only.
//
//   TALLY_WEBHOOK_SECRETS="whsec_... [whsec_...]" node receiver.js [--port 8000]
//   node receiver.js --check-vectors ../../vectors/signatures.json
//
// It verifies the Standard Webhooks signature over the raw body (any of the secrets, so a
// rotation needs no downtime), refuses timestamps more than 5 minutes off, drops deliveries whose
// webhook-id it has already processed, and answers 204 (taken, or a duplicate), 400 (headers or
// body malformed) or 401 (signature or timestamp refused). It prints `port N` once listening and
// one line per delivery.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");

const TOLERANCE_SECONDS = 300;
const MAX_BODY_BYTES = 1 << 20;

/** The key bytes of `whsec_<base64>`; missing padding is tolerated. */
function decodeSecret(secret) {
  const text = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error("secret is not base64");
  return Buffer.from(text, "base64");
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for one key; body is a Buffer. */
function sign(key, msgId, timestamp, body) {
  const mac = crypto.createHmac("sha256", key).update(`${msgId}.${timestamp}.`).update(body).digest("base64");
  return `v1,${mac}`;
}

/** "valid", or why not: "malformed" (answer 400) or "refused" (answer 401). */
function verify(keys, msgId, timestamp, signature, body, now) {
  if (!msgId || !timestamp || !signature) return "malformed";
  if (!/^[0-9]+$/.test(timestamp)) return "malformed";
  if (Math.abs(Number(timestamp) - now) > TOLERANCE_SECONDS) return "refused";
  const offered = signature.split(" ").filter((entry) => entry.startsWith("v1,")).map((entry) => Buffer.from(entry));
  for (const key of keys) {
    const expected = Buffer.from(sign(key, msgId, timestamp, body));
    // timingSafeEqual takes the same time wherever the bytes differ; it needs equal lengths.
    if (offered.some((entry) => entry.length === expected.length && crypto.timingSafeEqual(entry, expected))) return "valid";
  }
  return "refused";
}

// What this receiver has processed. In memory here; in production keep webhook-ids for at least
// 7 days in shared storage, because retries carry fresh timestamps and replays can come days later.
const seen = new Map();
// Events arrive in no particular order: an account_seq below the newest seen is older news.
const lastSeq = new Map();

function serve(keys, port) {
  const server = http.createServer((request, response) => {
    const answer = (status, outcome) => {
      console.log(outcome);
      response.writeHead(status, { "content-length": "0" });
      response.end();
    };
    const chunks = [];
    let size = 0;
    request.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > MAX_BODY_BYTES) return answer(413, "too-large");
      const body = Buffer.concat(chunks);
      const msgId = request.headers["webhook-id"];
      const verdict = verify(keys, msgId, request.headers["webhook-timestamp"], request.headers["webhook-signature"], body,
        Math.floor(Date.now() / 1000));
      if (verdict !== "valid") return answer(verdict === "malformed" ? 400 : 401, `${verdict} ${msgId}`);
      let event;
      try {
        event = JSON.parse(body.toString("utf8"));
      } catch {
        return answer(400, `malformed-body ${msgId}`);
      }
      if (seen.has(msgId)) return answer(204, `duplicate ${msgId}`);
      seen.set(msgId, Date.now());
      const data = event.data || {};
      let stale = false;
      if (typeof data.account === "string") {
        const newest = lastSeq.get(data.account) || 0;
        stale = (data.account_seq || 0) < newest;
        lastSeq.set(data.account, Math.max(newest, data.account_seq || 0));
      }
      // A real receiver would act here (or better, queue the work and answer at once).
      answer(204, `accepted ${msgId} ${event.type}${stale ? " stale" : ""}`);
    });
  });
  server.listen(port, "127.0.0.1", () => console.log(`port ${server.address().port}`));
}

function checkVectors(path) {
  const vectors = JSON.parse(fs.readFileSync(path, "utf8"));
  let failures = 0;
  for (const c of vectors.signing) {
    const body = Buffer.from(c.body, "utf8");
    const produced = c.secrets.map((secret) => sign(decodeSecret(secret), c.msg_id, c.timestamp, body)).join(" ");
    if (produced !== c.signature) {
      failures += 1;
      console.log(`signing failed: ${c.name}`);
    }
  }
  for (const c of vectors.verification) {
    const keys = c.secrets.map(decodeSecret);
    const verdict = verify(keys, c.msg_id, String(c.timestamp), c.signature, Buffer.from(c.body, "utf8"), c.now);
    if ((verdict === "valid") !== c.valid) {
      failures += 1;
      console.log(`verification failed: ${c.name}`);
    }
  }
  const total = vectors.signing.length + vectors.verification.length;
  console.log(`vectors: ${total - failures} of ${total} passed`);
  return failures ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === "--check-vectors") {
  process.exitCode = checkVectors(args[1]);
} else {
  const secrets = (process.env.TALLY_WEBHOOK_SECRETS || "").split(/[ ,]+/).filter(Boolean);
  if (secrets.length === 0) {
    console.error("set TALLY_WEBHOOK_SECRETS to the endpoint's whsec_ secret(s)");
    process.exit(2);
  }
  serve(secrets.map(decodeSecret), args[0] === "--port" ? Number(args[1]) : 0);
}
