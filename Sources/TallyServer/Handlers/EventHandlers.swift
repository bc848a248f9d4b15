import TallyCore
import TallyEngine

/// The event outbox, pulled: `GET /v1/events?after=&type=&account=&livemode=`.
extension TallyAPI {
    func listEvents(_ call: inout Call) async throws(Problem) -> Reply {
        let query = QueryParameters(call.request.query)
        return try await page(
            query, after: { $0.hasPrefix("evt_") ? PublicID.number($0.dropFirst(4)) : nil },
            expected: "after is an event id such as evt_42",
            fetch: { after, limit throws(Problem) in
                let request = try Self.eventQuery(query, after: after ?? 0, limit: limit)
                return try await engineCall { () async throws(EngineError) in try await engine.events(request) }
            },
            cursor: { "evt_\($0.id)" }, render: Self.event)
    }

    /// The page's query with the filters besides paging: `type`, `account` and `livemode`.
    private static func eventQuery(_ query: QueryParameters, after: Int64, limit: Int) throws(Problem) -> EventQuery {
        var eventQuery = EventQuery(afterID: after, limit: limit)
        if let type = query["type"] {
            guard EventType(rawValue: type) != nil else {
                throw .invalid("invalid_field", "type is one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            eventQuery.type = type
        }
        if let account = query["account"] {
            do throws(Rejection) {
                try AccountRules.validate(id: account)
            } catch {
                throw .invalid("invalid_field", "account is an account id")
            }
            eventQuery.account = account
        }
        eventQuery.livemode = try query.livemode()
        return eventQuery
    }

    /// An event as listed: its id and envelope, with the stored body's `data` as it will be sent.
    private static func event(_ row: EventRow) -> JSONValue {
        let data = (try? JSONParser.parse(row.body))?["data"] ?? .null
        return .object([
            ("id", .string("evt_\(row.id)")), ("type", .string(row.type)), ("account", .string(row.account)),
            ("account_seq", .integer(row.accountSeq)), ("created_at", .string(Timestamp.format(row.atMs))), ("data", data),
        ])
    }
}
