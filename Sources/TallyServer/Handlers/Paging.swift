import TallyCore

/// The `?limit=&after=` paging the six lists share.
extension TallyAPI {
    /// One page of a list: reads `limit` and the `after` cursor, fetches one row more than the
    /// page to learn whether another follows, and names the page's last row as `next_cursor`.
    ///
    /// A list gives how its cursor reads (`parse`, nil for text that is not one of its cursors,
    /// answered 422 `invalid_cursor` saying `expected`), how it fetches rows after a position
    /// (nil without `after`), how a row is written back as a cursor and how it is rendered.
    func page<Position, Row>(
        _ query: QueryParameters, after parse: (String) -> Position?, expected: String,
        fetch: (_ after: Position?, _ limit: Int) async throws(Problem) -> [Row],
        cursor: (Row) -> String, render: (Row) -> JSONValue
    ) async throws(Problem) -> Reply {
        let limit = try Self.limit(query)
        var after: Position?
        if let text = query["after"] {
            guard let position = parse(text) else { throw .invalid("invalid_cursor", expected) }
            after = position
        }
        let rows = try await fetch(after, limit + 1)
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last.map(cursor) : nil
        return .page(page.map(render), nextCursor: next)
    }

    /// The page size from `?limit=`: ``Limits/pageSize``, default 100.
    private static func limit(_ query: QueryParameters) throws(Problem) -> Int {
        guard let text = query["limit"] else { return 100 }
        guard let limit = Int(text), Limits.pageSize.contains(limit) else {
            throw .invalid("invalid_limit", "limit must be an integer from \(Limits.pageSize.text)")
        }
        return limit
    }
}
