import CTallySQLite

/// A prepared statement, reused across executions to skip re-parsing.
final class Statement: @unchecked Sendable {
    private let handle: OpaquePointer
    private unowned let connection: Connection
    let sql: String

    init(connection: Connection, sql: String) throws(StoreError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(
            connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw StoreError(code: code, message: connection.lastMessage, sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds values to the parameters in order, starting at 1.
    func bind(_ values: any StatementValue...) throws(StoreError) {
        try bind(values)
    }

    /// Binds values to the parameters in order, starting at 1.
    func bind(_ values: [any StatementValue]) throws(StoreError) {
        for (offset, value) in values.enumerated() {
            let code = value.bind(to: handle, at: Int32(offset + 1))
            guard code == SQLITE_OK else { throw failure(code) }
        }
    }

    /// Steps once; true when a row is available, false when done.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure(code)
        }
    }

    /// Binds, runs to completion and resets.
    func run(_ values: any StatementValue...) throws(StoreError) {
        defer { reset() }
        try bind(values)
        while try step() {}
    }

    /// Binds, collects every row through `row`, and resets.
    func rows<T>(
        _ values: [any StatementValue] = [], _ row: (Statement) throws(StoreError) -> T
    ) throws(StoreError) -> [T] {
        defer { reset() }
        try bind(values)
        var result: [T] = []
        while try step() { result.append(try row(self)) }
        return result
    }

    /// Binds, hands each row to `row` until it returns false, and resets.
    func forEachRow(
        _ values: [any StatementValue], _ row: (Statement) throws(StoreError) -> Bool
    ) throws(StoreError) {
        defer { reset() }
        try bind(values)
        while try step() {
            guard try row(self) else { return }
        }
    }

    /// Resets the statement and clears its bindings so it can run again.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// The integer in column `index` (0-based).
    func int(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// The integer in column `index`, or nil when NULL.
    func optionalInt(_ index: Int32) -> Int64? {
        sqlite3_column_type(handle, index) == SQLITE_NULL ? nil : int(index)
    }

    /// The text in column `index`, empty when NULL.
    func text(_ index: Int32) -> String { optionalText(index) ?? "" }

    /// The text in column `index`, or nil when NULL.
    func optionalText(_ index: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, index) else { return nil }
        return String(cString: pointer)
    }

    /// The bytes in column `index`.
    func blob(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private func failure(_ code: Int32) -> StoreError {
        StoreError(code: code, message: connection.lastMessage, sql: sql)
    }
}

/// A Swift value that can be bound to a statement parameter.
protocol StatementValue {
    /// Binds the value at a 1-based parameter index and returns SQLite's result code.
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

extension Int64: StatementValue {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, self)
    }
}

extension Int: StatementValue {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, Int64(self))
    }
}

extension String: StatementValue {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        if isEmpty { return sqlite3_bind_text(statement, index, "", 0, SQLITE_TRANSIENT) }
        var copy = self
        return copy.withUTF8 { bytes in
            sqlite3_bind_text(
                statement, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }
}

extension Array: StatementValue where Element == UInt8 {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withUnsafeBytes { bytes in
            sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }
}

extension Optional: StatementValue where Wrapped: StatementValue {
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .some(let value): value.bind(to: statement, at: index)
        case .none: sqlite3_bind_null(statement, index)
        }
    }
}
