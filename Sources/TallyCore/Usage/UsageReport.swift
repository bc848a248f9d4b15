/// How wide the buckets of a usage report are (UTC).
public enum UsageGranularity: String, Sendable, Hashable, CaseIterable {
    case hour, day, month

    /// The start of the bucket holding `ms`.
    public func bucketStart(_ ms: Int64) -> Int64 {
        switch self {
        case .hour: return ms - floorModulo(ms, UTCDateTime.msPerHour)
        case .day: return ms - floorModulo(ms, UTCDateTime.msPerDay)
        case .month:
            let time = UTCDateTime(epochMs: ms)
            let days = CivilCalendar.daysFromCivil(year: time.year, month: time.month, day: 1)
            return days * UTCDateTime.msPerDay
        }
    }

    /// How many buckets a report may hold, so one request cannot ask for millions.
    public static let maxBuckets = 1_000

    private func floorModulo(_ value: Int64, _ modulus: Int64) -> Int64 {
        let remainder = value % modulus
        return remainder < 0 ? remainder + modulus : remainder
    }
}

/// Credits and units charged for one operation (nil: charges that named none).
public struct UsageLine: Sendable, Hashable {
    public let operation: String?
    public var quantity: Int64
    /// Credits debited net of refunds.
    public var credits: Credits
}

/// One bucket of a usage report.
public struct UsageBucket: Sendable, Hashable {
    public let startMs: Int64
    public var operations: [UsageLine]
    /// Credits that expired unused in this bucket (breakage).
    public var expired: Credits
}

/// Usage per operation per time bucket, built from the ledger so it always agrees with it.
public struct UsageReport: Sendable, Hashable {
    public let granularity: UsageGranularity
    public let fromMs: Int64
    public let toMs: Int64
    /// Buckets that saw any charge, refund or expiry, oldest first.
    public let buckets: [UsageBucket]
    public let totals: [UsageLine]
    public let expired: Credits

    /// Aggregates `entries` (those of one account within [fromMs, toMs)): debits and captures
    /// add to their operation, refunds subtract from the refunded debit's operation, and credits
    /// booked as expired count as breakage.
    public init(entries: [LedgerEntry], fromMs: Int64, toMs: Int64, granularity: UsageGranularity) {
        var builder = Builder(fromMs: fromMs, toMs: toMs, granularity: granularity)
        for entry in entries { builder.add(entry) }
        self = builder.report
    }

    private init(granularity: UsageGranularity, fromMs: Int64, toMs: Int64, buckets: [UsageBucket]) {
        self.granularity = granularity
        self.fromMs = fromMs
        self.toMs = toMs
        self.buckets = buckets
        var totals: [String?: UsageLine] = [:]
        for line in buckets.flatMap(\.operations) {
            var total = totals[line.operation] ?? UsageLine(operation: line.operation, quantity: 0, credits: 0)
            total.credits += line.credits
            total.quantity += line.quantity
            totals[line.operation] = total
        }
        self.totals = Self.sorted(Array(totals.values))
        expired = buckets.reduce(0) { $0 + $1.expired }
    }

    /// Builds a report one entry at a time, so a long range never holds every entry in memory.
    public struct Builder {
        let fromMs: Int64
        let toMs: Int64
        let granularity: UsageGranularity
        private var byBucket: [Int64: (lines: [String?: UsageLine], expired: Credits)] = [:]

        /// Starts an empty report.
        public init(fromMs: Int64, toMs: Int64, granularity: UsageGranularity) {
            self.fromMs = fromMs
            self.toMs = toMs
            self.granularity = granularity
        }

        /// Counts one entry; entries outside [fromMs, toMs) are ignored.
        public mutating func add(_ entry: LedgerEntry) {
            guard entry.atMs >= fromMs, entry.atMs < toMs else { return }
            let start = granularity.bucketStart(entry.atMs)
            var bucket = byBucket[start] ?? ([:], 0)
            let (credits, quantity, expired) = UsageReport.effect(of: entry)
            if credits != 0 || quantity != 0 {
                var line = bucket.lines[entry.operation] ?? UsageLine(operation: entry.operation, quantity: 0, credits: 0)
                line.credits += credits
                line.quantity += quantity
                bucket.lines[entry.operation] = line
            }
            bucket.expired += expired
            byBucket[start] = bucket
        }

        /// The report of everything added.
        public var report: UsageReport {
            let buckets = byBucket.keys.sorted().compactMap { start in
                byBucket[start].map { UsageBucket(startMs: start, operations: UsageReport.sorted(Array($0.lines.values)), expired: $0.expired) }
            }
            return UsageReport(granularity: granularity, fromMs: fromMs, toMs: toMs, buckets: buckets)
        }
    }

    /// Credits charged (negative for refunds), units charged, and credits expired by one entry.
    fileprivate static func effect(of entry: LedgerEntry) -> (credits: Credits, quantity: Int64, expired: Credits) {
        var expired: Credits = 0
        var refunded: Credits = 0
        for posting in entry.postings {
            switch posting.kind {
            case .expire, .expireReserved: expired += posting.amount
            case .unconsumeExpired:
                expired += posting.amount
                refunded += posting.amount
            case .unconsume: refunded += posting.amount
            case .open where entry.kind == .refund: refunded += posting.amount
            case .debt where entry.kind == .refund: refunded -= posting.amount
            default: break
            }
        }
        switch entry.kind {
        case .debit, .capture: return (entry.debitedAmount, entry.quantity ?? 0, expired)
        case .refund: return (-refunded, 0, expired)
        default: return (0, 0, expired)
        }
    }

    fileprivate static func sorted(_ lines: [UsageLine]) -> [UsageLine] {
        lines.sorted { ($0.operation ?? "") < ($1.operation ?? "") }
    }
}
