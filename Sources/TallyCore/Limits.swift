/// Every bound Tally puts on what callers and operators send, in one place.
///
/// The core's rules validate with these; HTTP decoding, configuration checking, the problem
/// texts and the OpenAPI document read them too, so a limit is changed here or nowhere.
public enum Limits {
    /// A single amount of credits in one request: 1 to 10^15.
    public static let amount = IntegerLimit(1...1_000_000_000_000_000)
    /// An overdraft limit, a plan's allowance or rollover cap: 0 to 10^15.
    public static let overdraft = IntegerLimit(0...amount.upperBound)
    /// A `balance.low` level: within ±10^15.
    public static let threshold = IntegerLimit(-amount.upperBound...amount.upperBound)
    /// The most `balance.low` levels or usage alert percentages one list may hold.
    public static let levelCount = 20
    /// A usage alert percentage of a plan's allowance (past 100 % reports overage).
    public static let usageAlertPercent = IntegerLimit(1...1_000)
    /// A lot's burn-down priority: 0 (spent first) to 1,000.
    public static let priority = IntegerLimit(0...1_000)
    /// How many days a catalog pack's credits may last: up to a hundred years.
    public static let packExpiryDays = IntegerLimit(1...36_500)
    /// Units of a priced operation in one request.
    public static let quantity = IntegerLimit(1...1_000_000_000)
    /// Requests allowed per rate-limit window, for keys, accounts and plans alike.
    public static let rateLimit = IntegerLimit(1...1_000_000)
    /// A rate-limit window: one second to one day.
    public static let rateWindowSeconds = IntegerLimit(1...86_400)
    /// Packs an auto top-up may request in one calendar month.
    public static let autoTopUpMonthlyCap = IntegerLimit(1...10_000)
    /// The most metadata entries an account, hold or debit may carry.
    public static let metadataEntries = 50
    /// A metadata key's length in characters (Unicode scalars, as JSON Schema counts them).
    public static let metadataKeyCharacters = IntegerLimit(1...40)
    /// A metadata value's length in characters.
    public static let metadataValueCharacters = IntegerLimit(0...500)
    /// A free-text note's length in characters: an endpoint's description, a refund's reason, a
    /// credit's or pack purchase's reference.
    public static let noteCharacters = IntegerLimit(0...500)
    /// An account id's length in bytes (its characters are ``AccountRules``'s to say).
    public static let accountIDBytes = IntegerLimit(1...128)
    /// An idempotency key's length in bytes, each a visible ASCII character (`!` to `~`).
    public static let idempotencyKeyBytes = IntegerLimit(1...255)
    /// An idempotency key as a regular expression, for the OpenAPI document.
    public static let idempotencyKeyPattern = "^[!-~]{\(idempotencyKeyBytes.lowerBound),\(idempotencyKeyBytes.upperBound)}$"

    /// Whether `text` is a note of at most ``noteCharacters`` characters.
    public static func isNote(_ text: String) -> Bool { noteCharacters.contains(text.unicodeScalars.count) }

    /// Whether `key` may be an idempotency key: ``idempotencyKeyBytes`` visible ASCII characters.
    public static func isIdempotencyKey(_ key: String) -> Bool {
        idempotencyKeyBytes.contains(key.utf8.count) && key.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
    /// A customer API key's name in characters.
    public static let keyNameCharacters = IntegerLimit(0...200)
    /// How long a rotated API key keeps working beside its replacement.
    public static let keyGraceSeconds = IntegerLimit(0...2_592_000)
    /// The grace a rotation gets when it names none: one day.
    public static let defaultKeyGraceSeconds: Int64 = 86_400
    /// A webhook endpoint URL's length in characters.
    public static let endpointURLCharacters = IntegerLimit(1...2_048)
    /// The most strings a list member of a request may hold (such as an endpoint's `events`).
    public static let stringListEntries = 100
    /// Items in one page of a list.
    public static let pageSize = IntegerLimit(1...1_000)
    /// One advance of the test clock: up to ten years.
    public static let testClockAdvanceSeconds = IntegerLimit(1...315_360_000)
    /// A plan's name in bytes (it appears in URLs and events).
    public static let planNameBytes = IntegerLimit(1...64)
}

/// A closed range of integers a value must lie in, and how to say it in a problem's text.
public struct IntegerLimit: Sendable, Hashable {
    public let range: ClosedRange<Int64>

    /// Creates a limit of `range`.
    public init(_ range: ClosedRange<Int64>) { self.range = range }

    public var lowerBound: Int64 { range.lowerBound }
    public var upperBound: Int64 { range.upperBound }

    /// Whether `value` is within the limit.
    public func contains(_ value: Int64) -> Bool { range.contains(value) }

    /// Whether `value` is within the limit.
    public func contains(_ value: Int) -> Bool { range.contains(Int64(value)) }

    /// "1 to 1000000", or with powers of ten from 10^9 up written so: "1 to 10^15".
    public var text: String { "\(Self.say(lowerBound)) to \(Self.say(upperBound))" }

    /// A bound as a problem's text writes it.
    public static func say(_ value: Int64) -> String {
        let magnitude = value.magnitude
        var power = 0
        var rest = magnitude
        while rest >= 10, rest % 10 == 0 {
            rest /= 10
            power += 1
        }
        guard rest == 1, power >= 9 else { return String(value) }
        return (value < 0 ? "-" : "") + "10^\(power)"
    }
}
