// Proves the store survives power loss and failing disks: seeded fault schedules, each run by a
// `tally-faults child` process that dies in a power loss, never lose an acknowledged mutation,
// never apply one answered as failed (even after the crash that follows), recover once faults
// stop, and leave a database that reopens with a clean integrity_check and ledger verifier.
// The schedules come from a fixed regression seed and from a random one.
import Foundation
import TallyFaultHarness
import TallyTesting
import Testing

@Suite struct FaultScheduleTests {
    @Test(.serialized, arguments: simulationSeeds([3], replay: "TALLY_FAULT_SEED"))
    func seededSchedulesLoseNothingAcknowledgedAndApplyNothingFailed(seed: UInt64) async throws {
        let count = ProcessInfo.processInfo.environment["TALLY_FAULT_SCHEDULES"].flatMap { Int($0) } ?? 60
        print("TALLY_FAULT_SEED=\(seed) TALLY_FAULT_SCHEDULES=\(count) (rerun with these variables)")
        let child = try Executable.require("tally-faults", override: "TALLY_FAULTS_BINARY")
        let directory = try TempDirectory()
        defer { directory.remove() }
        var random = SplitMix64(seed: seed)
        var acknowledged = 0
        var failed = 0
        for index in 0..<count {
            let report = await ScheduleRunner.run(seed: random.next(), child: child, directory: directory.url)
            acknowledged += report.acknowledged
            failed += report.failed
            for violation in report.violations {
                Issue.record("TALLY_FAULT_SEED=\(seed) schedule \(index) (\(report.plan); `tally-faults run --schedule \(report.plan.seed)`): \(violation)")
            }
        }
        print("fault schedules: \(count) run, \(acknowledged) answers ok, \(failed) answers failed")
        #expect(acknowledged > 0 && failed > 0, "the schedules both served and failed requests")
    }
}
