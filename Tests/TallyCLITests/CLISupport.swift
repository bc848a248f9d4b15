// Helpers for running the built `tally` executable (and other commands) to completion off the
// cooperative pool, with what they printed; the executable, temporary directories and `tally
// serve` children come from TallyTesting.
import Foundation
import TallyTesting
import Testing

/// Every suite that runs child processes nests in this one, so they run one at a time: children
/// never compete with each other for the two cores or inherit each other's pipes.
@Suite(.serialized) enum CLITests {}

/// What a finished child printed and how it exited.
struct RunResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    var timedOut = false

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    var output: String { stdout + stderr }
    var description: String { "exit \(status)\nstdout: \(stdout.suffix(2_000))\nstderr: \(stderr.suffix(2_000))" }
}

/// Runs `tally` with `arguments` to completion (killed after `timeout` seconds).
func runTally(_ arguments: [String], timeout: Double = 60) async throws -> RunResult {
    let result = try await runToCompletion(Executable.tally(), arguments, timeout: timeout)
    if result.timedOut { Issue.record("tally \(arguments.joined(separator: " ")) did not finish in \(timeout) s: \(result)") }
    return result
}

/// Runs `executable` with `arguments` to completion (killed after `timeout` seconds), with its
/// output in files so a chatty child can never block on a full pipe.
func runToCompletion(_ executable: URL, _ arguments: [String], timeout: Double = 60) async throws -> RunResult {
    try await offPool {
        let directory = try TempDirectory()
        defer { directory.remove() }
        let outURL = directory.url.appendingPathComponent("stdout")
        let errURL = directory.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        try out.close()
        try err.close()
        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return RunResult(status: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }
}
