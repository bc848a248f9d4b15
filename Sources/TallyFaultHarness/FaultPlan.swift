import CTallyFaultVFS
import TallyTesting

/// One fault schedule, derived entirely from its seed: what the VFS injects and when power is lost.
///
/// Counts are over the reads, writes and syncs the child makes after its setup; a crash point
/// the load never reaches becomes a power loss at the end of the run instead.
public struct FaultPlan: Sendable, Hashable, CustomStringConvertible {
    /// The families of schedules, so that each seed stresses one thing hard.
    public enum Kind: String, Sendable, CaseIterable {
        /// Power is lost at the Nth sync; no faults.
        case crashAtSync
        /// Power is lost at the Nth write; no faults.
        case crashAtWrite
        /// Reads, writes and syncs fail at random for a while, then the engine must recover.
        case ioErrors
        /// One sync fails, and power is lost a few writes later with most pending writes landing.
        case failedSyncThenCrash
    }

    public let seed: UInt64
    public let kind: Kind
    public let crashAtWrite: Int64
    public let crashAtSync: Int64
    public let crashWritesAfterFault: Int64
    public let failSyncAt: Int64
    public let readFaultPPM: UInt32
    public let writeFaultPPM: UInt32
    public let syncFaultPPM: UInt32
    public let faultsStopAfter: Int64
    public let crashKeepPPM: UInt32
    /// Whether the child closes the engine before the final power loss (else it loses power mid-flight).
    public let closesCleanly: Bool
    /// Whether a failed sync loses the file's pending writes for good (Linux after a failed
    /// fsync) rather than leaving them to land later.
    public let failedSyncLosesWrites: Bool

    /// Derives the schedule of `seed`.
    public init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        self.seed = seed
        kind = Kind.allCases[random.below(Kind.allCases.count)]
        let keepChoices: [UInt32] = [0, 250_000, 500_000, 900_000, 1_000_000]
        crashKeepPPM = kind == .failedSyncThenCrash ? 1_000_000 : keepChoices[random.below(keepChoices.count)]
        crashAtSync = kind == .crashAtSync ? Int64(1 + random.below(120)) : 0
        crashAtWrite = kind == .crashAtWrite ? Int64(1 + random.below(600)) : 0
        failSyncAt = kind == .failedSyncThenCrash ? Int64(1 + random.below(40)) : 0
        crashWritesAfterFault = kind == .failedSyncThenCrash ? Int64(1 + random.below(30)) : 0
        let errors = kind == .ioErrors
        readFaultPPM = errors ? UInt32(random.below(20_000)) : 0
        writeFaultPPM = errors ? UInt32(random.below(30_000)) : 0
        syncFaultPPM = errors ? UInt32(random.below(60_000)) : 0
        faultsStopAfter = errors ? Int64(200 + random.below(3_000)) : 0
        closesCleanly = random.chance(25)
        failedSyncLosesWrites = kind == .failedSyncThenCrash && random.chance(50)
    }

    public var description: String {
        var parts = ["seed \(seed)", kind.rawValue]
        if crashAtSync > 0 { parts.append("crash at sync \(crashAtSync)") }
        if crashAtWrite > 0 { parts.append("crash at write \(crashAtWrite)") }
        if failSyncAt > 0 { parts.append("fail sync \(failSyncAt), crash \(crashWritesAfterFault) writes later") }
        if kind == .ioErrors {
            parts.append("faults ppm read \(readFaultPPM) write \(writeFaultPPM) sync \(syncFaultPPM) for \(faultsStopAfter) calls")
        }
        parts.append("power loss keeps \(crashKeepPPM / 10_000) %")
        if failedSyncLosesWrites { parts.append("the failed sync loses its writes") }
        if closesCleanly { parts.append("clean close before the last power loss") }
        return parts.joined(separator: ", ")
    }

    /// The plan as the VFS takes it.
    var cPlan: tally_fault_plan {
        tally_fault_plan(
            seed: seed, crash_at_write: crashAtWrite, crash_at_sync: crashAtSync,
            crash_writes_after_fault: crashWritesAfterFault, fail_read_at: 0, fail_write_at: 0, fail_sync_at: failSyncAt,
            read_fault_ppm: readFaultPPM, write_fault_ppm: writeFaultPPM, sync_fault_ppm: syncFaultPPM,
            faults_stop_after: faultsStopAfter, crash_keep_ppm: crashKeepPPM,
            failed_sync_loses_writes: failedSyncLosesWrites ? 1 : 0)
    }
}

/// The fault VFS as the child process drives it.
public enum FaultVFS {
    /// Registers the VFS as the process's default, so every connection the store opens uses it.
    public static func installAsDefault() -> Bool { tally_fault_vfs_register(1) == 0 }

    /// Starts injecting `plan`.
    public static func arm(_ plan: FaultPlan) {
        var cPlan = plan.cPlan
        tally_fault_vfs_arm(&cPlan)
    }

    /// Stops injecting faults; crash points stay armed.
    public static func stopFaults() { tally_fault_vfs_stop_faults() }

    /// How many faults fired so far.
    public static var faults: Int64 {
        var stats = tally_fault_stats()
        tally_fault_vfs_stats(&stats)
        return stats.faults
    }

    /// Loses power as the plan says and kills the process.
    public static func crash() -> Never { tally_fault_vfs_crash() }
}
