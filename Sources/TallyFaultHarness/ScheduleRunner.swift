import Foundation

/// What one schedule did and what the checks found.
public struct ScheduleReport: Sendable {
    public let plan: FaultPlan
    public let acknowledged: Int
    public let failed: Int
    /// Faults the VFS injected, when the child reached the end of its load.
    public let faults: Int64?
    public let violations: [String]
}

/// Runs schedules: each in a child `tally-faults child` process that ends in a power loss, then
/// checks the database it left.
public enum ScheduleRunner {
    /// How long a child may run before it is killed and reported as hung.
    static let childTimeoutSeconds = 120

    /// Runs the schedule of `seed` in a fresh directory under `directory` and removes it after,
    /// unless it found violations and `keepFailures` names where to move it for a post-mortem.
    public static func run(seed: UInt64, child: URL, directory: URL, keepFailures: URL? = nil) async -> ScheduleReport {
        let workspace = directory.appendingPathComponent("schedule-\(seed)")
        let report = await run(seed: seed, child: child, workspace: workspace)
        let keep = report.violations.isEmpty ? nil : keepFailures
        await onOwnThread {
            if let keep {
                try? FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
                try? FileManager.default.moveItem(at: workspace, to: keep.appendingPathComponent(workspace.lastPathComponent))
            }
            try? FileManager.default.removeItem(at: workspace)
        }
        return report
    }

    static func run(seed: UInt64, child: URL, workspace: URL) async -> ScheduleReport {
        let plan = FaultPlan(seed: seed)
        var violations: [String] = []
        let lines: [Substring]
        do {
            try await onOwnThread {
                Result { try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true) }
            }.get()
            let (exit, output) = try await runChild(child, seed: seed, workspace: workspace)
            violations += exit
            lines = output.split(separator: "\n", omittingEmptySubsequences: true)
        } catch {
            return ScheduleReport(plan: plan, acknowledged: 0, failed: 0, faults: nil, violations: ["the child did not run: \(error)"])
        }
        if !lines.contains("ready") { violations.append("the child never got ready") }
        violations += lines.filter { $0.hasPrefix("stuck ") }.map { "not served again once faults stopped: \($0)" }
        let answers = lines.compactMap { Answer(line: $0) }
        let database = workspace.appendingPathComponent("tally.db").path
        if lines.contains("ready") { violations += await FaultCheck(path: database, answers: answers).violations() }
        let faults = lines.last { $0.hasPrefix("done ") }.flatMap { Int64($0.dropFirst(5)) }
        return ScheduleReport(
            plan: plan, acknowledged: answers.count { $0.verdict == .ok }, failed: answers.count { $0.verdict == .failed },
            faults: faults, violations: violations)
    }

    /// Runs the child to its end; returns what was wrong with how it ended, and its stdout (whole lines only).
    static func runChild(_ child: URL, seed: UInt64, workspace: URL) async throws -> ([String], String) {
        let stdoutURL = workspace.appendingPathComponent("stdout")
        let stderrURL = workspace.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = child
        process.arguments = ["child", "--database", workspace.appendingPathComponent("tally.db").path, "--seed", String(seed)]
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        let (reason, status) = await withCheckedContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: ($0.terminationReason, $0.terminationStatus)) }
            do {
                try process.run()
            } catch {
                continuation.resume(returning: (.exit, -1))
                return
            }
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(childTimeoutSeconds)) { kill(pid, SIGKILL) }
        }
        let (output, errors) = await onOwnThread {
            (Self.text(of: stdoutURL), Self.text(of: stderrURL))
        }
        // A line cut short by the kill is no answer.
        let complete = output.lastIndex(of: "\n").map { String(output[...$0]) } ?? ""
        guard reason == .uncaughtSignal && status == SIGKILL else {
            let how = reason == .exit ? "exit status" : "signal"
            return (["the child ended with \(how) \(status), not a power loss: \(errors.suffix(2_000))"], complete)
        }
        return ([], complete)
    }

    static func text(of url: URL) -> String {
        String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
    }
}
