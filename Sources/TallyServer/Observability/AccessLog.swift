import TallyCore
import Foundation
import Synchronization

/// JSON-lines access log: one line per answered request (method, path, status, duration_ms and
/// the account when known), buffered and written by a background thread every 100 ms.
///
/// It never records headers, bodies or query strings, so tokens, keys and secrets cannot leak.
public final class AccessLog: Sendable {
    private let buffer = Mutex<[UInt8]>([])
    private let sink: @Sendable ([UInt8]) -> Void
    private let stopping = Atomic<Bool>(false)

    /// Creates a log that hands batches of lines to `sink` (standard error by default).
    public init(sink: @escaping @Sendable ([UInt8]) -> Void = AccessLog.standardError) {
        self.sink = sink
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 0.1)
                flush()
            }
        }
        thread.name = "tally-access-log"
        thread.start()
    }

    /// Writes bytes to standard error.
    public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
        FileHandle.standardError.write(Data(bytes))
    }

    /// Records one request.
    func request(method: String, path: String, status: Int, nanoseconds: UInt64, account: String?) {
        let line: JSONValue = .members([
            ("ts", .string(Timestamp.format(Int64(Date().timeIntervalSince1970 * 1_000)))),
            ("method", .string(method)), ("path", .string(path)), ("status", .integer(Int64(status))),
            ("duration_ms", .number(Self.milliseconds(nanoseconds))), ("account", .text(account)),
        ])
        append(line)
    }

    /// Records a server event worth an operator's attention, such as a storage failure or the
    /// start of a drain (never request data).
    public func event(_ message: String, level: String = "info") {
        append(.object([
            ("ts", .string(Timestamp.format(Int64(Date().timeIntervalSince1970 * 1_000)))),
            ("level", .string(level)), ("message", .string(message)),
        ]))
    }

    private func append(_ line: JSONValue) {
        var bytes = JSONWriter.bytes(line)
        bytes.append(0x0A)
        buffer.withLock { $0.append(contentsOf: bytes) }
    }

    /// Writes out what is buffered.
    public func flush() {
        let pending = buffer.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        if !pending.isEmpty { sink(pending) }
    }

    /// Stops the background thread after writing what is buffered.
    public func close() {
        stopping.store(true, ordering: .relaxed)
        flush()
    }

    /// Milliseconds with three decimals, as JSON number text.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1_000
        let fraction = String(micros % 1_000)
        return "\(micros / 1_000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
