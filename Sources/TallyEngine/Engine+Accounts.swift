public import TallyCore
import TallyStore

/// What an operator gives to open an account.
public struct NewAccount: Sendable, Hashable {
    public var id: String
    public var overdraftLimit: Credits
    public var metadata: [String: String]
    /// `balance.low` levels.
    public var thresholds: [Credits]

    /// Creates a request for a new account.
    public init(id: String, overdraftLimit: Credits = 0, metadata: [String: String] = [:], thresholds: [Credits] = []) {
        self.id = id
        self.overdraftLimit = overdraftLimit
        self.metadata = metadata
        self.thresholds = thresholds
    }
}

extension Engine {
    /// Opens an account; `accountExists` if the id is taken.
    public func createAccount(_ new: NewAccount, idempotencyKey: String? = nil) async throws(EngineError) -> Replayable<AccountView> {
        do throws(Rejection) {
            try AccountRules.validate(id: new.id)
            try AccountRules.validate(overdraftLimit: new.overdraftLimit)
            try AccountRules.validate(metadata: new.metadata)
            try AccountRules.validate(thresholds: new.thresholds)
        } catch {
            throw .rejected(error)
        }
        let request = try Engine.keyed(
            idempotencyKey, [
                "create", String(new.overdraftLimit), Fingerprint.field(new.metadata),
                new.thresholds.map { String($0) }.joined(separator: ","),
            ])
        let account = Account(
            id: new.id, overdraftLimit: new.overdraftLimit, metadata: new.metadata,
            thresholds: new.thresholds.sorted(by: >), createdAtMs: clock.nowMs())
        return try await withAccount(new.id) { actor throws(ActorFailure) in
            try await actor.create(account, request: request).finish()
        }
    }

    /// The account with its exact balance, live lots and pending holds.
    public func account(_ id: String) async throws(EngineError) -> AccountView {
        try await withAccount(try Engine.checked(id)) { actor throws(ActorFailure) in try await actor.view() }
    }

    /// Changes status, overdraft limit or metadata.
    public func updateAccount(
        _ id: String, _ changes: AccountChanges, idempotencyKey: String? = nil
    ) async throws(EngineError) -> Replayable<AccountView> {
        let metadata = (changes.metadata ?? [:]).mapValues { $0 ?? "\u{0}" }
        let request = try Engine.keyed(idempotencyKey, [
            "update", changes.status?.rawValue ?? "", changes.overdraftLimit.map { String($0) } ?? "",
            Fingerprint.field(metadata), changes.thresholds.map { $0.map { String($0) }.joined(separator: ",") } ?? "-",
        ])
        return try await withAccount(try Engine.checked(id)) { actor throws(ActorFailure) in
            try await actor.update(changes, request: request).finish()
        }
    }

    /// A page of accounts in id order, with their debt as stored.
    public func accounts(after afterID: String?, limit: Int) async throws(EngineError) -> [(account: Account, debt: Credits)] {
        try await read { connection throws(StoreError) in
            try connection.accounts(after: afterID, limit: limit).map { (account: $0.0, debt: $0.1) }
        }
    }
}
