// A Tally webhook receiver in Swift, Foundation only (no packages), as one file:
//
//   TALLY_WEBHOOK_SECRETS="whsec_... [whsec_...]" swift receiver.swift [--port 8000]
//   swift receiver.swift --check-vectors ../../vectors/signatures.json
//
// It verifies the Standard Webhooks signature over the raw body (any of the secrets, so a
// rotation needs no downtime), refuses timestamps more than 5 minutes off, drops deliveries whose
// webhook-id it has already processed, and answers 204 (taken, or a duplicate), 400 (headers or
// body malformed) or 401 (signature or timestamp refused). It prints `port N` once listening and
// one line per delivery. Foundation on Linux has no HMAC, so SHA-256 is written out below
// (FIPS 180-4); on Apple platforms CryptoKit's HMAC<SHA256> would do.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let toleranceSeconds: Int64 = 300
let maxBodyBytes = 1 << 20

// MARK: SHA-256 and HMAC

func sha256(_ message: [UInt8]) -> [UInt8] {
    let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    var hash: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    var padded = message + [0x80]
    while padded.count % 64 != 56 { padded.append(0) }
    let bitLength = UInt64(message.count) * 8
    padded += (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64($0))) }
    func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value >> count | value << (32 - count) }
    for chunk in stride(from: 0, to: padded.count, by: 64) {
        var w = (0..<16).map { i in (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(padded[chunk + 4 * i + $1]) } }
        for i in 16..<64 {
            let s0 = rotate(w[i - 15], 7) ^ rotate(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotate(w[i - 2], 17) ^ rotate(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w.append(w[i - 16] &+ s0 &+ w[i - 7] &+ s1)
        }
        var (a, b, c, d, e, f, g, h) = (hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7])
        for i in 0..<64 {
            let t1 = h &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
            let t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        for (index, value) in [a, b, c, d, e, f, g, h].enumerated() { hash[index] = hash[index] &+ value }
    }
    return hash.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
}

func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
    var block = key.count > 64 ? sha256(key) : key
    block += [UInt8](repeating: 0, count: 64 - block.count)
    let inner = sha256(block.map { $0 ^ 0x36 } + message)
    return sha256(block.map { $0 ^ 0x5c } + inner)
}

/// Equal bytes, checked in time that does not depend on where they differ.
func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
    guard left.count == right.count else { return false }
    return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}

// MARK: Standard Webhooks

/// The key bytes of `whsec_<base64>`; missing padding is tolerated.
func decodeSecret(_ secret: String) -> [UInt8]? {
    var text = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
    while text.count % 4 != 0 { text += "=" }
    return Data(base64Encoded: text).map { [UInt8]($0) }
}

func sign(key: [UInt8], id: String, timestamp: String, body: [UInt8]) -> String {
    "v1," + Data(hmacSHA256(key: key, message: Array("\(id).\(timestamp).".utf8) + body)).base64EncodedString()
}

enum Verdict { case valid, malformed, refused }

func verify(keys: [[UInt8]], id: String?, timestamp: String?, signature: String?, body: [UInt8], now: Int64) -> Verdict {
    guard let id, let timestamp, let signature, !id.isEmpty else { return .malformed }
    guard !timestamp.isEmpty, timestamp.allSatisfy(\.isASCII), timestamp.allSatisfy(\.isNumber), let seconds = Int64(timestamp)
    else { return .malformed }
    guard abs(seconds - now) <= toleranceSeconds else { return .refused }
    let offered = signature.split(separator: " ").filter { $0.hasPrefix("v1,") }.map { Array($0.utf8) }
    for key in keys {
        let expected = Array(sign(key: key, id: id, timestamp: timestamp, body: body).utf8)
        if offered.contains(where: { constantTimeEqual($0, expected) }) { return .valid }
    }
    return .refused
}

// MARK: Vectors

func checkVectors(_ path: String) -> Int32 {
    guard let data = FileManager.default.contents(atPath: path),
        let vectors = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let signing = vectors["signing"] as? [[String: Any]], let verification = vectors["verification"] as? [[String: Any]]
    else {
        print("cannot read \(path)")
        return 2
    }
    var failures = 0
    for vector in signing {
        let keys = (vector["secrets"] as? [String] ?? []).compactMap(decodeSecret)
        let body = Array((vector["body"] as? String ?? "").utf8)
        let timestamp = "\(vector["timestamp"] as? Int ?? 0)"
        let produced = keys.map { sign(key: $0, id: vector["msg_id"] as? String ?? "", timestamp: timestamp, body: body) }
            .joined(separator: " ")
        if produced != vector["signature"] as? String {
            failures += 1
            print("signing failed: \(vector["name"] ?? "")")
        }
    }
    for vector in verification {
        let keys = (vector["secrets"] as? [String] ?? []).compactMap(decodeSecret)
        let verdict = verify(
            keys: keys, id: vector["msg_id"] as? String, timestamp: "\(vector["timestamp"] as? Int ?? 0)",
            signature: vector["signature"] as? String, body: Array((vector["body"] as? String ?? "").utf8),
            now: Int64(vector["now"] as? Int ?? 0))
        if (verdict == .valid) != (vector["valid"] as? Bool ?? false) {
            failures += 1
            print("verification failed: \(vector["name"] ?? "")")
        }
    }
    let total = signing.count + verification.count
    print("vectors: \(total - failures) of \(total) passed")
    return failures == 0 ? 0 : 1
}

// MARK: Server

/// What this receiver has processed. In memory here; in production keep webhook-ids for at least
/// 7 days in shared storage, because retries carry fresh timestamps and replays can come days later.
struct Deliveries {
    var seen: [String: Date] = [:]
    /// Events arrive in no particular order: an account_seq below the newest seen is older news.
    var lastSeq: [String: Int] = [:]
}

/// Reads one request: its lowercased headers and body; nil when the connection ends early.
func readRequest(_ socket: Int32) -> (headers: [String: String], body: [UInt8])? {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    let separator: [UInt8] = [13, 10, 13, 10]
    var headEnd: Int?
    var headers: [String: String] = [:]
    while true {
        if headEnd == nil, let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) }) {
            headEnd = end
            for line in String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        if let end = headEnd {
            let length = Int(headers["content-length"] ?? "0") ?? 0
            guard length <= maxBodyBytes else { return nil }
            if bytes.count >= end + 4 + length { return (headers, Array(bytes[(end + 4)..<(end + 4 + length)])) }
        }
        let count = recv(socket, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        bytes += buffer[0..<count]
    }
}

func respond(_ socket: Int32, _ status: Int, _ outcome: String) {
    FileHandle.standardOutput.write(Data((outcome + "\n").utf8))
    let reason = [204: "No Content", 400: "Bad Request", 401: "Unauthorized"][status] ?? "Error"
    let answer = Array("HTTP/1.1 \(status) \(reason)\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".utf8)
    _ = answer.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
}

func handle(_ socket: Int32, keys: [[UInt8]], deliveries: inout Deliveries) {
    guard let (headers, body) = readRequest(socket) else { return }
    let id = headers["webhook-id"]
    let now = Int64(Date().timeIntervalSince1970)
    switch verify(keys: keys, id: id, timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"], body: body, now: now) {
    case .malformed: return respond(socket, 400, "malformed \(id ?? "")")
    case .refused: return respond(socket, 401, "refused \(id ?? "")")
    case .valid: break
    }
    guard let id, let event = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
        return respond(socket, 400, "malformed-body \(id ?? "")")
    }
    guard deliveries.seen[id] == nil else { return respond(socket, 204, "duplicate \(id)") }
    deliveries.seen[id] = Date()
    var stale = false
    if let data = event["data"] as? [String: Any], let account = data["account"] as? String {
        let seq = data["account_seq"] as? Int ?? 0
        stale = seq < deliveries.lastSeq[account, default: 0]
        deliveries.lastSeq[account] = max(deliveries.lastSeq[account, default: 0], seq)
    }
    // A real receiver would act here (or better, queue the work and answer at once).
    respond(socket, 204, "accepted \(id) \(event["type"] as? String ?? "")" + (stale ? " stale" : ""))
}

func serve(keys: [[UInt8]], port: UInt16) -> Int32 {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
    }
    guard bound, listen(listener, 64) == 0 else {
        print("cannot listen on port \(port)")
        return 1
    }
    FileHandle.standardOutput.write(Data("port \(UInt16(bigEndian: address.sin_port))\n".utf8))
    var deliveries = Deliveries()
    while true {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { continue }
        handle(connection, keys: keys, deliveries: &deliveries)
        close(connection)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--check-vectors", arguments.count == 2 {
    exit(checkVectors(arguments[1]))
}
let secrets = (ProcessInfo.processInfo.environment["TALLY_WEBHOOK_SECRETS"] ?? "")
    .split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
guard !secrets.isEmpty else {
    FileHandle.standardError.write(Data("set TALLY_WEBHOOK_SECRETS to the endpoint's whsec_ secret(s)\n".utf8))
    exit(2)
}
exit(serve(keys: secrets.compactMap(decodeSecret), port: arguments.first == "--port" ? UInt16(arguments[1]) ?? 0 : 0))
