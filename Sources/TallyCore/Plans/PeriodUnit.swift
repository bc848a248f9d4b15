/// The length of a plan's period; the allowance resets at the start of each one.
public enum PeriodUnit: String, Sendable, Hashable, CaseIterable, Codable {
    case day, week, month, year

    /// The fixed length in milliseconds of a day or a week; nil for calendar units, whose length
    /// varies.
    public var fixedLengthMs: Int64? {
        switch self {
        case .day: UTCDateTime.msPerDay
        case .week: 7 * UTCDateTime.msPerDay
        case .month, .year: nil
        }
    }

    /// How many calendar months one period spans; nil for day and week.
    var months: Int64? {
        switch self {
        case .day, .week: nil
        case .month: 1
        case .year: 12
        }
    }
}

/// One period of a schedule: the half-open interval `[startMs, endMs)` and its index.
public struct Period: Sendable, Hashable {
    /// 0 for the period that starts at the anchor; negative before it.
    public let index: Int64
    public let startMs: Int64
    /// The start of the next period; not part of this one.
    public let endMs: Int64

    /// Creates a period.
    public init(index: Int64, startMs: Int64, endMs: Int64) {
        self.index = index
        self.startMs = startMs
        self.endMs = endMs
    }

    /// The period's length in milliseconds.
    public var lengthMs: Int64 { endMs - startMs }

    /// Whether `instantMs` lies in `[startMs, endMs)`.
    public func contains(_ instantMs: Int64) -> Bool { startMs <= instantMs && instantMs < endMs }
}
