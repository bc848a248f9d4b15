public import TallyCore
import TallyStore

extension Engine {
    /// A hold with its account; a pending hold past its expiry is released first, so the
    /// answer never shows a hold as pending after its `expires_at`.
    public func hold(_ id: HoldID) async throws(EngineError) -> HoldView {
        let found = try await storedHold(id)
        guard found.hold.status == .pending, found.hold.expiresAtMs <= clock.nowMs() else { return found }
        _ = try await account(found.account)
        return try await storedHold(id)
    }

    private func storedHold(_ id: HoldID) async throws(EngineError) -> HoldView {
        guard let found = try await read({ store throws(StoreError) in try await store.hold(id: id) }) else {
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
            try await actor.capture(hold: id, amount: amount, storedStatus: found.hold.status, request: request).finish()
        }
    }

    /// Voids a pending hold.
    public func void(hold id: HoldID, idempotencyKey: String? = nil) async throws(EngineError) -> Replayable<VoidReceipt> {
        let found = try await hold(id)
        let request = try Engine.keyed(idempotencyKey, ["void", String(id)])
        return try await withAccount(found.account) { actor throws(ActorFailure) in
            try await actor.void(hold: id, storedStatus: found.hold.status, request: request).finish()
        }
    }
}
