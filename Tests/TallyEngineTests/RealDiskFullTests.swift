// Proves the engine on a real filesystem that runs out of space under load: requests fail as
// storage errors and nothing else, reads keep answering, writes resume by themselves once space is
// freed, every acknowledged debit is on disk, no failed one is, and the ledger verifies. Needs root
// to mount a small tmpfs (CI runs as root); elsewhere it is skipped.
import Foundation
import Glibc
import TallyCore
import TallyEngine
@testable import TallyStore
import Testing

/// A tmpfs of a few MiB mounted for one test, so the disk really fills.
struct SmallFilesystem {
    let path: String

    /// Whether this process may mount one (root, and mounting allowed here).
    static let available: Bool = {
        guard geteuid() == 0, let probe = try? SmallFilesystem(bytes: 1 << 20) else { return false }
        probe.unmount()
        return true
    }()

    init(bytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = "size=\(bytes)".withCString { mount("tmpfs", path, "tmpfs", 0, $0) }
        guard mounted == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw CocoaError(.fileWriteNoPermission)
        }
    }

    /// Writes a file of zeros until the filesystem is full but for `leaving` bytes; returns its path.
    func fill(leaving bytes: Int) -> String {
        let ballast = path + "/ballast"
        let fd = open(ballast, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "the ballast file opens")
        let chunk = [UInt8](repeating: 0, count: 4_096)
        var stats = statvfs()
        while statvfs(path, &stats) == 0, Int(stats.f_bavail) * Int(stats.f_bsize) > bytes + chunk.count {
            guard write(fd, chunk, chunk.count) == chunk.count else { break }
        }
        close(fd)
        return ballast
    }

    func unmount() {
        umount2(path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: path)
    }
}

@Suite(.enabled(if: SmallFilesystem.available, "mounting a tmpfs needs root"))
struct RealDiskFullTests {
    @Test func aFullDiskFailsWritesCleanlyAndTheyResumeOnceSpaceIsFreed() async throws {
        let disk = try SmallFilesystem(bytes: 16 << 20)
        defer { disk.unmount() }
        let path = disk.path + "/tally.db"
        let engine = try Engine(configuration: EngineConfiguration(
            store: StoreConfiguration(path: path, maxQueueDelayMs: 600_000)))
        let accounts = (0..<20).map { "acct-\($0)" }
        for id in accounts { try await openAccount(engine, id, credits: 1_000_000_000) }
        let ballast = disk.fill(leaving: 1 << 20)

        var acknowledged: [(account: String, id: Int64, key: String)] = []
        var failed: [(account: String, key: String)] = []
        var sent = 0
        while failed.count < 50 && sent < 50_000 {
            let account = accounts[sent % accounts.count]
            let key = "full-\(sent)"
            sent += 1
            do throws(EngineError) {
                let answer = try await engine.authorize(AuthorizeRequest(account: account, cost: 1), idempotencyKey: key)
                acknowledged.append((account, answer.value.id, key))
            } catch {
                guard case .storage = error else {
                    Issue.record("a full disk answered \(error), not a storage error")
                    return
                }
                failed.append((account, key))
            }
        }
        try #require(failed.count == 50, "the disk filled after \(acknowledged.count) debits")
        print("RealDiskFullTests: \(acknowledged.count) debits fitted, then \(failed.count) failed of \(sent) sent")
        #expect(acknowledged.count > 0, "the disk filled under load, not at the first write")
        // Reads do not need the disk to have room.
        #expect(try await engine.account(accounts[0]).balance.available > 0)

        try FileManager.default.removeItem(atPath: ballast)
        var resumed = 0
        for (index, account) in accounts.enumerated() {
            // The first write of an account whose commit failed reloads it; it then succeeds.
            let key = "after-\(index)"
            let answer = try await engine.authorize(AuthorizeRequest(account: account, cost: 1), idempotencyKey: key)
            acknowledged.append((account, answer.value.id, key))
            resumed += 1
        }
        #expect(resumed == accounts.count, "every account writes again without a restart")
        await engine.close()

        let reader = try Connection(path: path, readOnly: true)
        for debit in acknowledged {
            #expect(try reader.cached("SELECT count(*) FROM entries WHERE id = ? AND idempotency_key = ?")
                .rows([debit.id, debit.key]) { $0.int(0) } == [1], "acknowledged debit \(debit.id) is on disk")
        }
        for refusal in failed {
            #expect(try reader.cached("SELECT count(*) FROM entries WHERE account_id = ? AND idempotency_key = ?")
                .rows([refusal.account, refusal.key]) { $0.int(0) } == [0], "failed debit \(refusal.key) was not applied")
        }
        #expect(try reader.cached("PRAGMA integrity_check").rows { $0.text(0) } == ["ok"])
        #expect(try LedgerVerifier(connection: reader).verify().violations.isEmpty)
    }
}
