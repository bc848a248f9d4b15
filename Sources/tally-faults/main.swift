// `tally-faults`: the fault-schedule harness of the store (RELIABILITY.md). `child` runs one
// schedule's load through the fault VFS and dies in a power loss; `run` drives many schedules,
// each in a child, and checks every database they leave.
import Foundation
import TallyFaultHarness
import TallyTesting

let usage = """
    usage: tally-faults run [--schedules N] [--minutes M] [--seed S] [--schedule SEED] [--kind KIND] [--keep DIR]
           tally-faults child --database PATH --seed SEED
    """

/// The value after `--name`, if given.
func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: "--" + name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

/// Writes a line at once, so progress and violations reach a log file as they happen.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tally-faults: \(message)\n\(usage)\n".utf8))
    exit(2)
}

/// Runs schedules one after another and prints every violation with the seed that reproduces it.
func runSchedules() async -> Int32 {
    guard let child = Bundle.main.executableURL else { fail("cannot find this executable") }
    let seeds: [UInt64]
    if let single = option("schedule") {
        guard let seed = UInt64(single) else { fail("--schedule takes a number") }
        seeds = [seed]
    } else {
        let runSeed = option("seed").flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
        let count = option("schedules").flatMap { Int($0) } ?? 100
        say("tally-faults: run seed \(runSeed), \(count) schedules")
        var random = SplitMix64(seed: runSeed)
        let kind = option("kind").flatMap { FaultPlan.Kind(rawValue: $0) }
        seeds = (0..<count).map { _ in
            // A kind is chosen by drawing seeds until one has it, so a run stays one seed.
            var seed = random.next()
            while let kind, FaultPlan(seed: seed).kind != kind { seed = random.next() }
            return seed
        }
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-faults-\(getpid())")
    defer { try? FileManager.default.removeItem(at: directory) }
    let started = Date()
    // A time budget ends the run early, for "as many schedules as an hour allows".
    let deadline = option("minutes").flatMap { Double($0) }.map { started.addingTimeInterval($0 * 60) } ?? .distantFuture
    var summary = RunSummary()
    for (index, seed) in seeds.enumerated() where Date() < deadline {
        let report = await ScheduleRunner.run(
            seed: seed, child: child, directory: directory, keepFailures: option("keep").map { URL(fileURLWithPath: $0) })
        summary.add(report)
        for violation in report.violations { say("VIOLATION schedule \(index) (\(report.plan)): \(violation)") }
        if (index + 1) % 100 == 0 { say("… \(index + 1) schedules, \(summary.violations) violations") }
    }
    say(summary.text(seconds: Date().timeIntervalSince(started)))
    return summary.violations == 0 ? 0 : 1
}

/// Totals over a run.
struct RunSummary {
    var schedules = 0
    var kinds: [String: Int] = [:]
    var acknowledged = 0
    var failed = 0
    var faults: Int64 = 0
    var violations = 0
    var failingSchedules = 0

    mutating func add(_ report: ScheduleReport) {
        schedules += 1
        kinds[report.plan.kind.rawValue, default: 0] += 1
        acknowledged += report.acknowledged
        failed += report.failed
        faults += report.faults ?? 0
        violations += report.violations.count
        if !report.violations.isEmpty { failingSchedules += 1 }
    }

    func text(seconds: Double) -> String {
        let kindText = kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return """
            tally-faults: \(schedules) schedules in \(Int(seconds)) s (\(kindText)); \(acknowledged) answers ok, \
            \(failed) answers failed, \(faults) faults injected before the load ended; \
            \(violations) violations in \(failingSchedules) schedules
            """
    }
}

switch CommandLine.arguments.dropFirst().first {
case "child":
    guard let database = option("database"), let seed = option("seed").flatMap({ UInt64($0) }) else {
        fail("child needs --database and --seed")
    }
    await FaultChild.run(path: database, plan: FaultPlan(seed: seed))
case "run":
    exit(await runSchedules())
default:
    fail("unknown command")
}
