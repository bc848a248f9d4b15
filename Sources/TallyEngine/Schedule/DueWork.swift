import Synchronization
import TallyStore

/// Applies what time has made due on accounts nobody is touching: starts plan periods that have
/// begun, releases holds past their expiry and books lots past theirs as expired, so
/// `period.reset`, `hold.expired` and breakage happen on time rather than at the account's next
/// request.
///
/// The due work is found from the stored accounts, holds and lots (indexes on columns a debit
/// never changes), so nothing is lost across a restart.
final class DueWork: Sendable {
    /// At most this many accounts per pass; the rest wait for the next one.
    static let batchLimit = 10_000

    let context: EngineContext
    let registry: AccountRegistry
    /// Lots that expired up to this instant have been looked at; a restart starts from the
    /// beginning, which only re-reads lots already spent.
    private let lotsCheckedThroughMs = Mutex<Int64>(Int64.min)

    init(context: EngineContext, registry: AccountRegistry) {
        self.context = context
        self.registry = registry
    }

    /// Runs one pass and returns how many accounts it brought up to date.
    @discardableResult
    func run() async -> Int {
        let nowMs = context.clock.nowMs()
        let afterMs = lotsCheckedThroughMs.withLock { $0 }
        let due: [String]
        do throws(StoreError) {
            due = try await context.store.accountsWithDueWork(atMs: nowMs, lotsAfterMs: afterMs, limit: DueWork.batchLimit)
        } catch {
            return 0  // Nothing changed; the next pass asks again.
        }
        var brought = 0
        for account in due where await bringUpToDate(account) { brought += 1 }
        if due.count < Self.batchLimit { lotsCheckedThroughMs.withLock { $0 = max($0, nowMs) } }
        return brought
    }

    /// Loads the account through its actor, which applies any due expiry; false if that failed
    /// (the rows still say it is due, so the next pass retries).
    private func bringUpToDate(_ id: String) async -> Bool {
        while true {
            let actor = registry.actor(for: id)
            do throws(ActorFailure) {
                _ = try await actor.view()
                return true
            } catch {
                guard case .retired = error else { return false }
                registry.remove(id, actor: actor)
            }
        }
    }
}
