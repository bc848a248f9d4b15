// Proves `tally serve` end to end as an operator runs it: it starts on the environment's
// overrides, answers over loopback, and on SIGTERM drains and exits 0 with what it acknowledged
// durable and the ledger clean.
@testable import TallyStore
import TallyTesting
import Testing

extension CLITests {
    @Suite struct ServeTests {
        @Test func servesThenDrainsOnSIGTERM() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let database = directory.path("serve.sqlite")
            let server = try await ServerProcess.start(database: database, adminToken: "serve-test-admin-token", directory: directory)
            defer { if server.process.isRunning { server.process.terminate() } }

            let client = JSONClient(port: server.port, token: "serve-test-admin-token")
            let created = try await client.send("POST", "/v1/accounts", json: #"{"id": "op1"}"#)
            #expect(created.status == 201, "\(created.body)")
            let topUp = try await client.send(
                "POST", "/v1/accounts/op1/topups", json: #"{"amount": 70}"#, headers: [("Idempotency-Key", "pay-1")])
            #expect(topUp.status == 201, "\(topUp.body)")
            let missing = try await loopbackRequest(port: server.port, "GET", "/v1/accounts/op1")
            #expect(missing.status == 401)

            #expect(await server.stop() == 0, "SIGTERM drains and exits 0")
            let reader = try Connection(path: database, readOnly: true)
            #expect(try reader.loadAccount(id: "op1", keysSinceMs: 0)?.state.balance.credits == 70)
            #expect(try LedgerVerifier(connection: reader).verify().violations.isEmpty)
        }
    }
}
