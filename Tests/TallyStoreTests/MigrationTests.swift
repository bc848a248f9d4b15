// Proves the schema is migrated once and recorded, that reopening changes nothing, and that every
// connection of a store carries the configured pragmas (WAL, synchronous FULL/NORMAL, page cap).
import Foundation
import TallyCore
@testable import TallyStore
import TallyTesting
import Testing

@Suite struct MigrationTests {
    @Test func migrationsRunOnceAndAreRecorded() async throws {
        let database = try TempDatabase()
        defer { database.remove() }

        let first = try openStore(database.path, nowMs: t0)
        try await commit(first, "acct", [.putAccount(Account(id: "acct", createdAtMs: t0), debt: 0)])
        first.close()

        let connection = try Connection(path: database.path, readOnly: true)
        let recorded = try connection.cached("SELECT version, name, applied_at_ms FROM schema_migrations ORDER BY version")
            .rows { ($0.int(0), $0.text(1), $0.int(2)) }
        // Every step of this build, in order, each recorded once with the time it was applied.
        #expect(recorded.map(\.0) == Array(1...Int64(max(1, recorded.count))))
        #expect(recorded.first?.1 == "ledger")
        #expect(recorded.contains { $0.1 == "service_tokens" })
        #expect(recorded.allSatisfy { $0.2 == t0 })
        let tables = Set(try connection.cached("SELECT name FROM sqlite_master WHERE type = 'table'").rows { $0.text(0) })
        #expect(tables.isSuperset(of: ["schema_migrations", "accounts", "lots", "holds", "entries", "debit_refunds", "idempotency", "service_tokens"]))
        let schemaBefore = try connection.cached("SELECT group_concat(sql, ';') FROM sqlite_master").rows { $0.text(0) }

        // Reopening later: nothing is applied again, nothing is lost.
        let second = try openStore(database.path, nowMs: t0 + 86_400_000)
        second.close()
        let again = try Connection(path: database.path, readOnly: true)
        let recordedAgain = try again.cached("SELECT version, applied_at_ms FROM schema_migrations").rows { ($0.int(0), $0.int(1)) }
        #expect(recordedAgain.count == recorded.count)
        #expect(recordedAgain.allSatisfy { $0.1 == t0 }, "each step keeps the time it was first applied")
        #expect(try again.cached("SELECT group_concat(sql, ';') FROM sqlite_master").rows { $0.text(0) } == schemaBefore)
        #expect(try again.accountRow(id: "acct")?.0.id == "acct")
    }

    @Test func aSchemaWithAnUnknownTableIsLeftAlone() async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        try openStore(database.path).close()
        let steps = try count(database.path, "SELECT count(*) FROM schema_migrations")
        let raw = try Connection(path: database.path)
        try raw.execute("CREATE TABLE operator_notes (note TEXT)")
        try openStore(database.path).close()
        #expect(try count(database.path, "SELECT count(*) FROM schema_migrations") == steps)
        #expect(try count(database.path, "SELECT count(*) FROM sqlite_master WHERE name = 'operator_notes'") == 1)
    }

    @Test(arguments: [(Durability.full, "2"), (Durability.normal, "1")])
    func pragmasFollowTheConfiguration(durability: Durability, synchronous: String) async throws {
        let database = try TempDatabase()
        defer { database.remove() }
        let store = try openStore(database.path, durability: durability, maxPageCount: 100_000)
        defer { store.close() }

        // Pragmas are per connection: read them back through the store's own reader connections.
        let values = try await store.readers.read { connection throws(StoreError) in
            [
                try connection.pragma("journal_mode"), try connection.pragma("synchronous"),
                try connection.pragma("foreign_keys"), try connection.pragma("max_page_count"),
                try connection.pragma("temp_store"),
            ]
        }
        #expect(values[0]?.lowercased() == "wal")
        #expect(values[1] == synchronous)
        #expect(values[2] == "1")
        #expect(values[3] == "100000")
        #expect(values[4] == "2", "temp_store = MEMORY")

        // WAL is a property of the file: any new connection sees it.
        let outside = try Connection(path: database.path, readOnly: true)
        #expect(try outside.pragma("journal_mode")?.lowercased() == "wal")
    }
}
