import TallyCore
import TallyEngine

/// The usage report: quantities and credits per operation per bucket, with breakage.
extension TallyAPI {
    func usage(_ call: inout Call) async throws(Problem) -> Reply {
        call.account = call.parameter
        let query = QueryParameters(call.request.query)
        let granularity = try query["granularity"].map { text throws(Problem) in
            guard let granularity = UsageGranularity(rawValue: text) else {
                throw .invalid("invalid_field", "granularity is hour, day or month")
            }
            return granularity
        } ?? .day
        let fromMs = try Self.time(query, "from")
        let toMs = try Self.time(query, "to")
        guard fromMs < toMs else { throw .invalid("invalid_range", "from must be before to") }
        guard Self.bucketCount(fromMs, toMs, granularity) <= UsageGranularity.maxBuckets else {
            throw .invalid("invalid_range", "the range holds more than \(UsageGranularity.maxBuckets) \(granularity.rawValue) buckets")
        }
        let id = call.parameter
        let report = try await engineCall { () async throws(EngineError) in
            try await engine.usage(account: id, fromMs: fromMs, toMs: toMs, granularity: granularity)
        }
        return Reply(status: 200, body: UsageJSON.report(report, account: id))
    }

    private static func time(_ query: QueryParameters, _ name: String) throws(Problem) -> Int64 {
        guard let text = query[name] else { throw .invalid("missing_field", "'\(name)' is required (RFC 3339)") }
        return try RequestBody.time(text, name: name)
    }

    /// How many buckets of `granularity` the range touches (at least one).
    private static func bucketCount(_ fromMs: Int64, _ toMs: Int64, _ granularity: UsageGranularity) -> Int64 {
        switch granularity {
        case .hour: return (toMs - fromMs) / UTCDateTime.msPerHour + 1
        case .day: return (toMs - fromMs) / UTCDateTime.msPerDay + 1
        case .month: return UTCDateTime(epochMs: toMs).monthNumber - UTCDateTime(epochMs: fromMs).monthNumber + 1
        }
    }
}

/// Usage reports as JSON.
enum UsageJSON {
    static func report(_ report: UsageReport, account: String) -> JSONValue {
        .object([
            ("account", .string(account)), ("granularity", .string(report.granularity.rawValue)),
            ("from", .string(Timestamp.format(report.fromMs))), ("to", .string(Timestamp.format(report.toMs))),
            ("buckets", .array(report.buckets.map { bucket in
                .object([
                    ("start", .string(Timestamp.format(bucket.startMs))),
                    ("operations", .array(bucket.operations.map(line))), ("expired", .integer(bucket.expired)),
                ])
            })),
            ("totals", .object([
                ("operations", .array(report.totals.map(line))),
                ("credits", .integer(report.totals.reduce(0) { $0 + $1.credits })), ("expired", .integer(report.expired)),
            ])),
        ])
    }

    private static func line(_ line: UsageLine) -> JSONValue {
        .object([
            ("operation", line.operation.map { .string($0) } ?? .null), ("quantity", .integer(line.quantity)),
            ("credits", .integer(line.credits)),
        ])
    }
}
