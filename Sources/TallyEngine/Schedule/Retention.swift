import TallyCore
import TallyStore

/// Deletes events and webhook deliveries past their retention, in small commits of their own.
///
/// Each commit deletes at most ``RetentionSettings/batchLimit`` rows of each kind, so a request
/// that shares its group commit waits for little; a reader asks first whether anything is due,
/// so an idle pass writes nothing.
final class Retention: Sendable {
    let context: EngineContext
    /// Deliveries are stamped with real time even when the engine runs on a test clock.
    let wallClock: any MillisecondClock

    init(context: EngineContext, wallClock: any MillisecondClock) {
        self.context = context
        self.wallClock = wallClock
    }

    private var settings: RetentionSettings { context.configuration.retention }

    /// Runs one pass and returns how many pruning commits it made.
    @discardableResult
    func run() async -> Int {
        var commits = 0
        while commits < settings.batchesPerPass {
            let cutoffs = settings.cutoffs(nowMs: context.clock.nowMs(), wallNowMs: wallClock.nowMs())
            guard !cutoffs.keepsEverything, await isDue(cutoffs) else { break }
            // A failed commit leaves the rows in place; the next pass tries again.
            guard case .success = await context.commit([.pruneExpiredRecords(cutoffs, limit: settings.batchLimit)]) else { break }
            commits += 1
        }
        return commits
    }

    private func isDue(_ cutoffs: RetentionCutoffs) async -> Bool {
        do throws(StoreError) {
            return try await context.store.hasExpiredRecords(cutoffs)
        } catch {
            return false
        }
    }
}
