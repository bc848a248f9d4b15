/// Whether an account may spend.
public enum AccountStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case active, suspended, closed
}

/// The operator-controlled settings of one customer's wallet.
public struct Account: Sendable, Hashable, Codable {
    public let id: String
    /// Whether the account holds real credits (true) or is a test account, fixed at creation: a
    /// `tk_test_` key spends only a test account's credits and a `tk_live_` key only a live one's.
    public let livemode: Bool
    public var status: AccountStatus
    public var overdraftLimit: Credits
    public var metadata: [String: String]
    /// `balance.low` levels: an event fires once when `available` crosses below each.
    public var thresholds: [Credits]
    /// The plan the account is on, with its running period; nil for no plan.
    public var subscription: PlanSubscription?
    public var autoTopUp: AutoTopUpSetting?
    /// The account's own rate limit for authorizations (a key's own limit comes first).
    public var rateLimit: RateLimit?
    public let createdAtMs: Int64
    public var updatedAtMs: Int64

    /// Creates an account's settings.
    public init(
        id: String, livemode: Bool = true, status: AccountStatus = .active, overdraftLimit: Credits = 0,
        metadata: [String: String] = [:], thresholds: [Credits] = [], subscription: PlanSubscription? = nil,
        autoTopUp: AutoTopUpSetting? = nil, rateLimit: RateLimit? = nil, createdAtMs: Int64, updatedAtMs: Int64? = nil
    ) {
        self.id = id
        self.livemode = livemode
        self.status = status
        self.overdraftLimit = overdraftLimit
        self.metadata = metadata
        self.thresholds = thresholds
        self.subscription = subscription
        self.autoTopUp = autoTopUp
        self.rateLimit = rateLimit
        self.createdAtMs = createdAtMs
        self.updatedAtMs = updatedAtMs ?? createdAtMs
    }

    /// Checks that the account may spend, or use its API keys at all (free gateway routes too).
    public func checkCanSpend() throws(Rejection) {
        switch status {
        case .active: return
        case .suspended: throw .accountSuspended
        case .closed: throw .accountClosed
        }
    }

    /// Checks that a key of `mode` may act for this account: test keys for test accounts only,
    /// live keys for live accounts only, so a test key never moves real credits.
    public func checkKeyMode(_ mode: APIKeyText.Mode) throws(Rejection) {
        guard (mode == .live) == livemode else { throw .keyModeMismatch(accountLivemode: livemode) }
    }

    /// Checks that the account may be issued API keys: a closed account never spends again, so a
    /// new key for it could only ever be refused. A suspended one may, to be ready for its return.
    public func checkCanIssueKeys() throws(Rejection) {
        guard status != .closed else { throw .accountClosed }
    }
}

extension Account {
    private enum CodingKeys: String, CodingKey {
        case id, livemode, status, overdraftLimit, metadata, thresholds, subscription, autoTopUp, rateLimit
        case createdAtMs, updatedAtMs
    }

    /// Decodes an account; one stored before test mode existed has no `livemode` and was live.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try values.decode(String.self, forKey: .id),
            livemode: try values.decodeIfPresent(Bool.self, forKey: .livemode) ?? true,
            status: try values.decode(AccountStatus.self, forKey: .status),
            overdraftLimit: try values.decode(Credits.self, forKey: .overdraftLimit),
            metadata: try values.decode([String: String].self, forKey: .metadata),
            thresholds: try values.decode([Credits].self, forKey: .thresholds),
            subscription: try values.decodeIfPresent(PlanSubscription.self, forKey: .subscription),
            autoTopUp: try values.decodeIfPresent(AutoTopUpSetting.self, forKey: .autoTopUp),
            rateLimit: try values.decodeIfPresent(RateLimit.self, forKey: .rateLimit),
            createdAtMs: try values.decode(Int64.self, forKey: .createdAtMs),
            updatedAtMs: try values.decode(Int64.self, forKey: .updatedAtMs))
    }
}

/// The validation rules for what an operator may put in an account.
public enum AccountRules {
    /// Checks an operator-chosen account id: ``Limits/accountIDBytes`` of `A-Z a-z 0-9 _ . : @ -`,
    /// not only dots.
    public static func validate(id: String) throws(Rejection) {
        let bytes = id.utf8
        guard Limits.accountIDBytes.contains(bytes.count) else { throw .invalidAccountID }
        // `.` and `..` are dot segments that clients and proxies remove from a path (RFC 3986
        // §5.2.4), so such an account could never be reached; longer runs of dots go too, since
        // some normalisers treat them alike and no customer id looks like one.
        guard bytes.contains(where: { $0 != UInt8(ascii: ".") }) else { throw .invalidAccountID }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "-"):
                continue
            default:
                throw .invalidAccountID
            }
        }
    }

    /// Checks a metadata map against ``Limits/metadataEntries``, ``Limits/metadataKeyCharacters``
    /// and ``Limits/metadataValueCharacters``.
    public static func validate(metadata: [String: String]) throws(Rejection) {
        guard metadata.count <= Limits.metadataEntries else {
            throw .invalidMetadata("at most \(Limits.metadataEntries) keys")
        }
        for (key, value) in metadata {
            guard Limits.metadataKeyCharacters.contains(key.unicodeScalars.count) else {
                throw .invalidMetadata("keys are \(Limits.metadataKeyCharacters.text) characters")
            }
            guard Limits.metadataValueCharacters.contains(value.unicodeScalars.count) else {
                throw .invalidMetadata("values are at most \(Limits.metadataValueCharacters.upperBound) characters")
            }
        }
    }

    /// Checks `balance.low` levels: at most ``Limits/levelCount``, each within ``Limits/threshold``, no repeats.
    public static func validate(thresholds: [Credits]) throws(Rejection) {
        guard thresholds.count <= Limits.levelCount, Set(thresholds).count == thresholds.count,
            thresholds.allSatisfy(Limits.threshold.contains)
        else { throw .invalidThresholds }
    }

    /// Checks an auto top-up's numbers; whether its pack exists is the catalog's to say.
    public static func validate(autoTopUp: AutoTopUpSetting) throws(Rejection) {
        guard Limits.amount.contains(autoTopUp.below) else {
            throw .invalidAutoTopUp("below must be \(Limits.amount.text)")
        }
        guard !autoTopUp.pack.isEmpty else { throw .invalidAutoTopUp("pack must name a catalog pack") }
        if let cap = autoTopUp.monthlyCap, !Limits.autoTopUpMonthlyCap.contains(cap) {
            throw .invalidAutoTopUp("monthly_cap must be \(Limits.autoTopUpMonthlyCap.text)")
        }
    }

    /// Checks a rate limit: ``Limits/rateLimit`` requests per ``Limits/rateWindowSeconds``.
    public static func validate(rateLimit: RateLimit) throws(Rejection) {
        guard Limits.rateLimit.contains(rateLimit.limit), Limits.rateWindowSeconds.contains(rateLimit.windowSeconds) else {
            throw .invalidRateLimit
        }
    }

    /// Checks an overdraft limit against ``Limits/overdraft``.
    public static func validate(overdraftLimit: Credits) throws(Rejection) {
        guard Limits.overdraft.contains(overdraftLimit) else { throw .invalidOverdraftLimit }
    }
}
