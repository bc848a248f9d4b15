// Helpers for running the built `tally` executable: finding it next to the test bundle and running
// it to completion off the cooperative pool (temporary directories come from TallyTesting).
import Foundation
import TallyTesting
import Testing

/// Every suite that runs child processes nests in this one, so they run one at a time: children
/// never compete with each other for the two cores or inherit each other's pipes.
@Suite(.serialized) enum CLITests {}

/// Where the `tally` executable built with this test bundle is.
enum TallyBinary {
    /// The executable, found by walking up from the test bundle (or `TALLY_BINARY`).
    static let url: URL? = locate()

    /// The directories searched, for the failure message.
    static var searched: [String] { starts.map(\.path) }

    private static var starts: [URL] {
        var starts = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        if let first = CommandLine.arguments.first {
            starts.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        return starts
    }

    private static func locate() -> URL? {
        if let explicit = ProcessInfo.processInfo.environment["TALLY_BINARY"] { return URL(fileURLWithPath: explicit) }
        for start in starts {
            var directory = start.standardizedFileURL
            for _ in 0..<5 {
                let candidate = directory.appendingPathComponent("tally")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// The executable, or a failed test that says how to build it.
    static func require() throws -> URL {
        try #require(
            url,
            "the `tally` executable was not found next to the test bundle (searched upward from \(searched)); build it with `swift build` before `swift test`, or set TALLY_BINARY")
    }
}

/// What a finished `tally` run printed and how it exited.
struct RunResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    var timedOut = false

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    var description: String { "exit \(status)\nstdout: \(stdout.suffix(2_000))\nstderr: \(stderr.suffix(2_000))" }
}

/// Runs `body` on a thread of its own and hands its result back: the blocking waits of these
/// tests (child processes, pipes) never run on the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// Runs `tally` with `arguments` to completion (killed after `timeout` seconds), with its output
/// in files so a chatty child can never block on a full pipe.
func runTally(_ arguments: [String], timeout: Double = 60) async throws -> RunResult {
    let binary = try TallyBinary.require()
    let result = try await offPool {
        let directory = try TempDirectory()
        defer { directory.remove() }
        let outURL = directory.url.appendingPathComponent("stdout")
        let errURL = directory.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        let pid = process.processIdentifier
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(pid, SIGKILL)
            finished.wait()
        }
        try out.close()
        try err.close()
        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return RunResult(status: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }
    if result.timedOut { Issue.record("tally \(arguments.joined(separator: " ")) did not finish in \(timeout) s: \(result)") }
    return result
}
