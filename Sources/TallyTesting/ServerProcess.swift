import Foundation

/// A `tally serve` child listening on an ephemeral loopback port, for end-to-end tests.
public struct ServerProcess {
    public let process: Process
    public let port: Int

    /// Starts `tally serve` with `arguments`, the database at `database` and `adminToken`, in
    /// `directory`, and waits until it says where it listens.
    public static func start(
        _ arguments: [String] = [], database: String, adminToken: String, directory: TempDirectory
    ) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = try Executable.tally()
        process.arguments = ["serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TALLY_LISTEN"] = "127.0.0.1:0"
        environment["TALLY_DATABASE"] = database
        environment["TALLY_ADMIN_TOKEN"] = adminToken
        process.environment = environment
        process.currentDirectoryURL = directory.url
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = await output.firstLine()
        guard let port = line?.split(separator: ":").last.flatMap({ Int($0) }) else {
            kill(process.processIdentifier, SIGKILL)
            throw ChildProcessError(detail: "tally serve did not say where it listens: \(line ?? "no line in 30 s")")
        }
        return ServerProcess(process: process, port: port)
    }

    /// Sends SIGTERM and waits for the exit status.
    public func stop() async -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return await process.exitStatus()
    }
}

/// Why a child process could not be used.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let detail: String

    /// Creates the error with what went wrong.
    public init(detail: String) { self.detail = detail }

    public var description: String { detail }
}

extension Pipe {
    /// The first line written into the pipe, read on a thread of its own; nil when the writer
    /// closes it first or after `seconds`.
    public func firstLine(seconds: Double = 30) async -> String? {
        let handle = fileHandleForReading
        return try? await offPool { () -> String? in
            var bytes: [UInt8] = []
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let chunk = handle.availableData
                if chunk.isEmpty { return nil }
                bytes += chunk
                if let end = bytes.firstIndex(of: UInt8(ascii: "\n")) { return String(decoding: bytes[..<end], as: UTF8.self) }
            }
            return nil
        }
    }
}

extension Process {
    /// Waits, off the cooperative pool, for the process to exit and returns its status.
    public func exitStatus() async -> Int32 {
        (try? await offPool { [self] in
            waitUntilExit()
            return terminationStatus
        }) ?? -1
    }
}
