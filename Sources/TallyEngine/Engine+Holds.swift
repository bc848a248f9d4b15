public import TallyCore
import TallyStore

extension Engine {
    /// A hold with its account, as stored.
    public func hold(_ id: HoldID) async throws(EngineError) -> HoldView {
        guard let found = try await read({ connection throws(StoreError) in try connection.hold(id: id) }) else {
            throw .rejected(.holdNotFound)
        }
        return HoldView(account: found.account, hold: found.hold)
    }

    /// Captures `amount` of a pending hold (default: the held amount); more than held is debited
    /// like a charge and fails atomically if the account cannot cover it.
    public func capture(
        hold id: HoldID, amount: Credits? = nil, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<CaptureReceipt> {
        let found = try await hold(id)
        let request = try Engine.keyed(idempotencyKey, ["capture", String(id), amount.map { String($0) } ?? ""])
        return try await withAccount(found.account) { actor throws(ActorFailure) in
            try await actor.capture(hold: id, amount: amount, storedStatus: found.hold.status, request: request)
        }
    }

    /// Voids a pending hold.
    public func void(hold id: HoldID, idempotencyKey: String? = nil) async throws(EngineError) -> Replayable<VoidReceipt> {
        let found = try await hold(id)
        let request = try Engine.keyed(idempotencyKey, ["void", String(id)])
        return try await withAccount(found.account) { actor throws(ActorFailure) in
            try await actor.void(hold: id, storedStatus: found.hold.status, request: request)
        }
    }
}
