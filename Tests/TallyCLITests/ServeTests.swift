// Proves `tally serve` end to end as an operator runs it: it starts on the environment's
// overrides, answers over loopback, and on SIGTERM drains and exits 0 with what it acknowledged
// durable and the ledger clean.
import Foundation
import TallyStore
import TallyTesting
import Testing

extension CLITests {
    @Suite struct ServeTests {
        @Test func servesThenDrainsOnSIGTERM() async throws {
            let binary = try TallyBinary.require()
            let directory = try TempDirectory()
            defer { directory.remove() }
            let database = directory.path("serve.sqlite")
            let process = Process()
            process.executableURL = binary
            process.arguments = ["serve"]
            var environment = ProcessInfo.processInfo.environment
            environment["TALLY_LISTEN"] = "127.0.0.1:0"
            environment["TALLY_DATABASE"] = database
            environment["TALLY_ADMIN_TOKEN"] = "serve-test-admin-token"
            process.environment = environment
            process.currentDirectoryURL = URL(fileURLWithPath: directory.path(""))
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            let line = try #require(await Self.firstLine(of: output), "serve printed where it listens")
            let port = try #require(line.split(separator: ":").last.flatMap { Int($0) }, "a port in \(line)")
            let token = "Authorization: Bearer serve-test-admin-token\r\n"
            let created = await Self.request(
                port, "POST /v1/accounts HTTP/1.1\r\nHost: t\r\n\(token)Content-Length: 13\r\n\r\n{\"id\": \"op1\"}")
            #expect(created.hasPrefix("HTTP/1.1 201"), "\(created)")
            let topUp = await Self.request(
                port, "POST /v1/accounts/op1/topups HTTP/1.1\r\nHost: t\r\n\(token)Idempotency-Key: pay-1\r\nContent-Length: 14\r\n\r\n{\"amount\": 70}")
            #expect(topUp.hasPrefix("HTTP/1.1 201"), "\(topUp)")
            let missing = await Self.request(port, "GET /v1/accounts/op1 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(missing.hasPrefix("HTTP/1.1 401"))

            kill(process.processIdentifier, SIGTERM)
            let status = await Self.exitStatus(of: process)
            #expect(status == 0, "SIGTERM drains and exits 0")
            let reader = try Connection(path: database, readOnly: true)
            #expect(try reader.loadAccount(id: "op1", keysSinceMs: 0)?.state.balance.credits == 70)
            #expect(try LedgerVerifier(connection: reader).verify().violations.isEmpty)
        }

        /// The first line the child writes, read on a thread of its own (nil after 30 s).
        static func firstLine(of pipe: Pipe) async -> String? {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    var bytes: [UInt8] = []
                    let deadline = Date().addingTimeInterval(30)
                    while Date() < deadline {
                        let chunk = pipe.fileHandleForReading.availableData
                        if chunk.isEmpty { break }
                        bytes += chunk
                        if let end = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                            continuation.resume(returning: String(decoding: bytes[..<end], as: UTF8.self))
                            return
                        }
                    }
                    continuation.resume(returning: nil)
                }
            }
        }

        /// Sends one raw HTTP/1.1 request on a blocking socket (on its own thread) and returns
        /// the answer's bytes as text, read until the peer closes or 2 s of silence.
        static func request(_ port: Int, _ text: String) async -> String {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(returning: blockingExchange(port: port, text))
                }
            }
        }

        private static func blockingExchange(port: Int, _ text: String) -> String {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return "" }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { return "" }
            let request = Array(text.utf8)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                answer += buffer[0..<count]
                if let text = String(bytes: answer, encoding: .utf8), isComplete(text) { break }
            }
            return String(decoding: answer, as: UTF8.self)
        }

        /// Whether a response's headers and the body its Content-Length announces have arrived.
        private static func isComplete(_ text: String) -> Bool {
            guard let headerEnd = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<headerEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            return text.utf8.count - text[..<headerEnd.upperBound].utf8.count >= length
        }

        /// Waits for the child to exit, off the cooperative pool.
        static func exitStatus(of process: Process) async -> Int32 {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    process.waitUntilExit()
                    continuation.resume(returning: process.terminationStatus)
                }
            }
        }
    }
}
