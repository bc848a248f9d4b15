public import TallyCore
import TallyStore

/// What an operator gives to open an account.
public struct NewAccount: Sendable, Hashable {
    public var id: String
    /// False opens a test account: its credits are not real and only `tk_test_` keys act for it.
    public var livemode: Bool
    public var overdraftLimit: Credits
    public var metadata: [String: String]
    /// `balance.low` levels; empty takes the plan's.
    public var thresholds: [Credits]
    /// The plan the account starts on now, by catalog name.
    public var plan: String?
    public var autoTopUp: AutoTopUpSetting?
    public var rateLimit: RateLimit?

    /// Creates a request for a new account; a nil overdraft limit takes the plan's (else 0).
    public init(
        id: String, livemode: Bool = true, overdraftLimit: Credits? = nil, metadata: [String: String] = [:],
        thresholds: [Credits] = [], plan: String? = nil, autoTopUp: AutoTopUpSetting? = nil, rateLimit: RateLimit? = nil
    ) {
        self.rateLimit = rateLimit
        self.id = id
        self.livemode = livemode
        self.overdraftLimit = overdraftLimit ?? 0
        self.overdraftFromPlan = overdraftLimit == nil
        self.metadata = metadata
        self.thresholds = thresholds
        self.plan = plan
        self.autoTopUp = autoTopUp
    }

    /// Whether the overdraft limit follows the plan (none was given).
    public let overdraftFromPlan: Bool
}

extension Engine {
    /// Opens an account; `accountExists` if the id is taken.
    public func createAccount(_ new: NewAccount, idempotencyKey: String? = nil) async throws(EngineError) -> Replayable<AccountView> {
        do throws(Rejection) {
            try AccountRules.validate(id: new.id)
            try AccountRules.validate(overdraftLimit: new.overdraftLimit)
            try AccountRules.validate(metadata: new.metadata)
            try AccountRules.validate(thresholds: new.thresholds)
            try validate(plan: new.plan, autoTopUp: new.autoTopUp)
            if let limit = new.rateLimit { try AccountRules.validate(rateLimit: limit) }
        } catch {
            throw .rejected(error)
        }
        let request = try Engine.keyed(
            idempotencyKey, [
                "create", new.overdraftFromPlan ? "-" : String(new.overdraftLimit), Fingerprint.field(new.metadata),
                new.thresholds.map { String($0) }.joined(separator: ","), new.plan ?? "-", Self.field(new.autoTopUp),
                new.rateLimit.map { "\($0.limit)/\($0.windowSeconds)" } ?? "-",
            ] + (new.livemode ? [] : ["test"]))  // a live account's fingerprint stays as it was before test mode
        let account = Account(
            id: new.id, livemode: new.livemode, overdraftLimit: new.overdraftLimit, metadata: new.metadata,
            thresholds: new.thresholds.sorted(by: >), autoTopUp: new.autoTopUp, rateLimit: new.rateLimit,
            createdAtMs: clock.nowMs())
        let plan = new.plan
        let followsPlan = new.overdraftFromPlan
        return try await withAccount(new.id) { actor throws(ActorFailure) in
            try await actor.create(account, plan: plan, overdraftFromPlan: followsPlan, request: request).finish()
        }
    }

    /// Checks that a named plan and an auto top-up's pack are in the catalog.
    private func validate(plan: String?, autoTopUp: AutoTopUpSetting?) throws(Rejection) {
        if let plan, catalog.plans[plan] == nil { throw .unknownPlan }
        if let autoTopUp {
            try AccountRules.validate(autoTopUp: autoTopUp)
            guard catalog.packs[autoTopUp.pack] != nil else { throw .unknownPack }
        }
    }

    /// An auto top-up as one fingerprint field.
    private static func field(_ setting: AutoTopUpSetting?) -> String {
        setting.map { "\($0.below)/\($0.pack)/\($0.monthlyCap.map { String($0) } ?? "")" } ?? "-"
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
        do throws(Rejection) {
            if case .set(let setting) = changes.autoTopUp { try validate(plan: nil, autoTopUp: setting) }
            if let name = changes.plan?.name { try validate(plan: name, autoTopUp: nil) }
        } catch {
            throw .rejected(error)
        }
        let autoTopUp: String
        switch changes.autoTopUp {
        case .set(let setting): autoTopUp = Self.field(setting)
        case .remove: autoTopUp = "none"
        case nil: autoTopUp = ""
        }
        let request = try Engine.keyed(idempotencyKey, [
            "update", changes.status?.rawValue ?? "", changes.overdraftLimit.map { String($0) } ?? "",
            Fingerprint.field(metadata), changes.thresholds.map { $0.map { String($0) }.joined(separator: ",") } ?? "-",
            autoTopUp, changes.plan.map { "\($0.name ?? "none")@\($0.timing.rawValue)" } ?? "",
            changes.rateLimit.map { $0.map { "\($0.limit)/\($0.windowSeconds)" } ?? "none" } ?? "",
        ])
        return try await withAccount(try Engine.checked(id)) { actor throws(ActorFailure) in
            try await actor.update(changes, request: request).finish()
        }
    }

    /// A page of accounts in id order, with their debt as stored.
    public func accounts(
        after afterID: String?, limit: Int, livemode: Bool? = nil
    ) async throws(EngineError) -> [(account: Account, debt: Credits)] {
        try await read { store throws(StoreError) in
            try await store.accounts(after: afterID, limit: limit, livemode: livemode).map { (account: $0.0, debt: $0.1) }
        }
    }
}
