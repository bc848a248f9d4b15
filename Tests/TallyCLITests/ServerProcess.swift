// Runs `tally serve` as a child process on loopback for end-to-end tests, and stops it the way
// an operator does (SIGTERM) or the way a crash does (SIGKILL).
import Foundation
import TallyTesting
import Testing

/// A running `tally serve` child.
struct ServerProcess {
    let process: Process
    let port: Int

    /// Starts `tally serve` with `arguments`, the database at `database` and `adminToken`, and
    /// waits until it says where it listens.
    static func start(
        _ arguments: [String] = [], database: String, adminToken: String, directory: TempDirectory
    ) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = try TallyBinary.require()
        process.arguments = ["serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TALLY_LISTEN"] = "127.0.0.1:0"
        environment["TALLY_DATABASE"] = database
        environment["TALLY_ADMIN_TOKEN"] = adminToken
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path(""))
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = try #require(await CLITests.ServeTests.firstLine(of: output), "serve printed where it listens")
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0) }, "a port in \(line)")
        return ServerProcess(process: process, port: port)
    }

    /// Sends SIGTERM and waits for the exit status.
    func stop() async -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return await CLITests.ServeTests.exitStatus(of: process)
    }
}

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
