// Test support: a loopback HTTP server with scripted misbehaviour (Python 3 stdlib, spawned per
// test) and child processes that announce their port; raw requests go through TallyTesting.
import Foundation
import Testing
import TallyCore
import TallyWebhooks

/// A child process that prints `port N` once it listens; killed when the test is done with it.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let output = Pipe()

    /// Starts `arguments[0]` (looked up on PATH) and waits for its `port N` line.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        try process.run()
        var line = ""
        let handle = output.fileHandleForReading
        while !line.hasSuffix("\n") {
            let byte = handle.readData(ofLength: 1)
            guard !byte.isEmpty else { throw ChildFailed(detail: "\(arguments[0]) exited before listening: \(line)") }
            line += String(decoding: byte, as: UTF8.self)
        }
        guard line.hasPrefix("port "), let port = Int(line.dropFirst(5).dropLast()) else { throw ChildFailed(detail: line) }
        self.port = port
    }

    /// Runs a command to its end and returns its exit status.
    static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Stops the child and returns everything it printed after the port line.
    func stop() -> String {
        // SIGKILL, because a child spawned from a test thread inherits its blocked SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}

struct ChildFailed: Error { let detail: String }

/// The scripted receiver: `/status/N`, `/retry-after/N/V`, `/slow/MS`, `/reset`, `/redirect`,
/// `/big/BYTES`, `/echo` (answers with the request's headers and body), `/hold/MS` (counts how
/// many requests overlap) and `/stats`.
enum ScriptedReceiver {
    static func start() throws -> ChildProcess {
        try ChildProcess(["python3", "-u", "-c", script])
    }

    private static let script = #"""
import http.server, json, os, socket, struct, sys, threading, time
lock = threading.Lock()
stats = {"requests": 0, "overlap": 0, "max_overlap": 0, "ports": []}
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers: self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.path == "/stats":
            with lock: return self.answer(200, json.dumps(stats).encode())
        with lock:
            stats["requests"] += 1
            stats["ports"].append(self.client_address[1])
        parts = self.path.strip("/").split("/")
        try:
            if parts[0] == "status": self.answer(int(parts[1]))
            elif parts[0] == "retry-after": self.answer(int(parts[1]), headers=[("Retry-After", parts[2])])
            elif parts[0] == "slow":
                time.sleep(int(parts[1]) / 1000)
                self.answer(204)
            elif parts[0] == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                os.close(self.connection.detach())
                self.close_connection = True
            elif parts[0] == "redirect": self.answer(302, headers=[("Location", "/status/204")])
            elif parts[0] == "big": self.answer(200, b"x" * int(parts[1]))
            elif parts[0] == "echo":
                seen = {k.lower(): v for k, v in self.headers.items()}
                self.answer(200, json.dumps({"headers": seen, "body": body.decode()}).encode())
            elif parts[0] == "hold":
                with lock:
                    stats["overlap"] += 1
                    stats["max_overlap"] = max(stats["max_overlap"], stats["overlap"])
                time.sleep(int(parts[1]) / 1000)
                with lock: stats["overlap"] -= 1
                self.answer(204)
            else: self.answer(404)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("port", server.server_address[1], flush=True)
server.serve_forever()
"""#
}

/// A fixed clock for `webhook-timestamp`, so tests never read the wall clock through the client.
struct ManualSeconds: Sendable {
    let seconds: Int64
    var clock: @Sendable () -> Int64 { { [seconds] in seconds } }
}

extension DeliveryRequest {
    /// A request to a path of a loopback server.
    static func loopback(_ port: Int, _ path: String, endpoint: String = "we_1", id: String = "evt_1", body: String = #"{"type":"test"}"#,
        secrets: [WebhookSecret] = [testSecret]) -> DeliveryRequest
    {
        DeliveryRequest(endpointID: endpoint, url: "http://127.0.0.1:\(port)\(path)", messageID: id, body: Array(body.utf8), secrets: secrets)
    }
}

let testSecret = try! WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").get()

/// A development configuration (private addresses and http allowed) with a fixed clock.
func devConfiguration(now: Int64 = 1_800_000_000) -> DeliveryConfiguration {
    var configuration = DeliveryConfiguration(nowSeconds: ManualSeconds(seconds: now).clock)
    configuration.addressPolicy = AddressPolicy(allowPrivate: true)
    return configuration
}
