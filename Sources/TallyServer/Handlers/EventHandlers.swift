import TallyCore
import TallyEngine
import TallyStore

/// The event outbox, pulled: `GET /v1/events?after=&type=&account=&livemode=`.
extension TallyAPI {
    func listEvents(_ call: inout Call) async throws(Problem) -> Reply {
        let query = QueryParameters(call.request.query)
        let limit = try call.limit(query)
        var eventQuery = EventQuery(limit: limit + 1)
        if let after = query["after"] {
            guard after.hasPrefix("evt_"), let id = PublicID.number(after.dropFirst(4)) else {
                throw .invalid("invalid_cursor", "after is an event id such as evt_42")
            }
            eventQuery.afterID = id
        }
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
        let request = eventQuery
        let rows = try await engineCall { () async throws(EngineError) in try await engine.events(request) }
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last.map { "evt_\($0.id)" } : nil
        return .page(page.map(Self.event), nextCursor: next)
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
