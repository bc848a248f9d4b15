// Proves DESIGN §3.5/§8 end to end: `tally churn` SIGKILLed at random moments, repeatedly on one file,
// never loses an acknowledged keyed mutation, and `tally verify` stays clean after every crash.
// The kill moments come from a fixed regression seed and from a random one.
import Foundation
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting
import Testing

/// What the reader thread has seen on the child's stdout: complete lines only.
final class ChurnOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var acks: [(account: String, key: String)] = []
    private var strayLines: [String] = []
    private var sawReady = false
    let ready = DispatchSemaphore(value: 0)
    let closed = DispatchSemaphore(value: 0)

    /// Reads `fd` until EOF on a dedicated thread; a last line without its newline (the child was
    /// killed mid-write) is dropped.
    func startReading(_ handle: FileHandle) {
        let thread = Thread { [self] in
            let fd = handle.fileDescriptor
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
                let complete = pending[...lastNewline]
                for line in complete.split(separator: UInt8(ascii: "\n")) { take(String(decoding: line, as: UTF8.self)) }
                pending.removeSubrange(...lastNewline)
            }
            closed.signal()
        }
        thread.name = "churn-stdout-reader"
        thread.start()
    }

    private func take(_ line: String) {
        let parts = line.split(separator: " ")
        lock.lock()
        defer { lock.unlock() }
        if line == "ready" {
            if !sawReady { ready.signal() }
            sawReady = true
        } else if parts.count == 3, parts[0] == "ack" {
            acks.append((String(parts[1]), String(parts[2])))
        } else {
            strayLines.append(line)
        }
    }

    var acknowledged: [(account: String, key: String)] { lock.withLock { acks } }
    var unexpected: [String] { lock.withLock { strayLines } }
}

/// One churn child with its stdout read on a dedicated thread.
final class ChurnChild: @unchecked Sendable {
    let process = Process()
    let output = ChurnOutput()
    let stderrPath: String
    private let exited = DispatchSemaphore(value: 0)

    init(binary: URL, database: String, stderrPath: String) throws {
        self.stderrPath = stderrPath
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let pipe = Pipe()
        process.executableURL = binary
        process.arguments = ["churn", "--database", database, "--accounts", "20", "--concurrency", "32"]
        process.standardOutput = pipe
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        output.startReading(pipe.fileHandleForReading)
    }

    /// Waits up to `seconds` for `ready`.
    func waitForReady(seconds: Double) -> Bool { output.ready.wait(timeout: .now() + seconds) == .success }

    /// SIGKILLs the child, waits for it and for the end of its output; false if it had already
    /// exited on its own.
    func killNine() -> (wasRunning: Bool, outputClosed: Bool) {
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        exited.wait()
        let closed = output.closed.wait(timeout: .now() + 20) == .success
        return (wasRunning, closed)
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

extension CLITests {
    @Suite struct CrashTests {
        /// Every (account, key) the database holds: keys in entry rows and in the idempotency table.
        static func storedKeys(_ path: String) throws -> Set<String> {
            let store = try Store.openForInspection(path: path)
            let onEntries = try store.allEntries().compactMap { entry in entry.idempotencyKey.map { "\(entry.account) \($0)" } }
            let separate = try store.separateOutcomeKeys().map { "\($0.account) \($0.key)" }
            return Set(onEntries + separate)
        }

        static func ms(_ duration: Duration) -> Int64 {
            duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        }

        @Test(arguments: simulationSeeds([20_261_203], replay: "TALLY_CRASH_SEED"))
        func killNineUnderLoadLosesNoAcknowledgedMutation(seed: UInt64) async throws {
            let binary = try Executable.tally()
            let cycles = max(5, Int(ProcessInfo.processInfo.environment["TALLY_CRASH_CYCLES"] ?? "") ?? 5)
            print("crash test: seed \(seed) (set TALLY_CRASH_SEED to replay), \(cycles) cycles")
            var random = SplitMix64(seed: seed)
            let directory = try TempDirectory()
            defer { directory.remove() }
            let database = directory.path("crash.db")

            var totalAcks = 0
            var firstAcks: [(account: String, key: String)] = []
            for cycle in 1...cycles {
                let runMs = Int.random(in: 300...1_500, using: &random)
                let started = ContinuousClock.now
                let child = try ChurnChild(binary: binary, database: database, stderrPath: directory.path("stderr-\(cycle)"))
                let ready = try await offPool { child.waitForReady(seconds: 60) }
                if !ready {
                    _ = try await offPool { child.killNine() }
                    Issue.record("cycle \(cycle) (seed \(seed)): churn never printed ready; stderr: \(child.stderr)")
                    return
                }
                let startup = ContinuousClock.now - started
                try await Task.sleep(for: .milliseconds(runMs))
                let (wasRunning, closed) = try await offPool { child.killNine() }
                #expect(wasRunning, "cycle \(cycle) (seed \(seed)): churn exited before the kill: \(child.stderr)")
                try #require(closed, "cycle \(cycle): the child's stdout never reached EOF")
                #expect(child.output.unexpected.isEmpty, "cycle \(cycle): \(child.output.unexpected.prefix(5))")

                let acks = child.output.acknowledged
                totalAcks += acks.count
                if firstAcks.isEmpty { firstAcks = acks.prefix(60).map { ($0.account, $0.key) } }
                let verifyStarted = ContinuousClock.now
                let verify = try await runTally(["verify", "--database", database])
                let verifying = ContinuousClock.now - verifyStarted
                #expect(verify.status == 0, "cycle \(cycle) (seed \(seed), killed after \(runMs) ms): \(verify)")
                #expect(verify.stdout.contains("checked 20 accounts: clean"), "\(verify)")

                let stored = try Self.storedKeys(database)
                let lost = acks.filter { !stored.contains("\($0.account) \($0.key)") }
                #expect(
                    lost.isEmpty,
                    "cycle \(cycle) (seed \(seed), killed after \(runMs) ms): \(lost.count) of \(acks.count) acknowledged keys are missing, e.g. \(lost.prefix(5))")
                print("crash test: cycle \(cycle) killed after \(runMs) ms, \(acks.count) acks, all present: \(lost.isEmpty) (ready after \(Self.ms(startup)) ms, verify took \(Self.ms(verifying)) ms)")
                if !lost.isEmpty || verify.status != 0 { return }
            }
            #expect(totalAcks > 0, "the churn acknowledged something across \(cycles) cycles")
            try await Self.expectKnown(firstAcks, database: database, seed: seed)
        }

        /// The first cycle's keys, older than what an account keeps in memory by now, are still
        /// honoured after every crash: each repeat replays or is refused as a reuse, never applied.
        static func expectKnown(_ acks: [(account: String, key: String)], database: String, seed: UInt64) async throws {
            let engine = try Engine(configuration: EngineConfiguration(
                store: StoreConfiguration(path: database), idempotencyKeysPerAccount: 16))
            for (account, key) in acks {
                do throws(EngineError) {
                    let repeated = try await engine.authorize(AuthorizeRequest(account: account, cost: 1), idempotencyKey: key)
                    #expect(repeated.replayed, "seed \(seed): key \(key) of \(account) was applied again")
                } catch {
                    switch error {
                    case .refused(_, _, replayed: true), .rejected(.idempotencyKeyReused): break
                    default: Issue.record("seed \(seed): key \(key) of \(account): \(error)")
                    }
                }
            }
            await engine.close()
        }
    }
}
