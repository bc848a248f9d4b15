// Proves the fault VFS models a disk the way the schedules rely on: writes and truncates wait in
// memory until their file's sync yet every handle reads them, a power loss keeps a seeded subset
// (sectors torn, never reordered within one), faults fire on their schedule and leave nothing
// applied, a failed sync may lose its writes for good, and SQLite runs a WAL database through it.
import CTallyFaultVFS
import CTallySQLite
import Foundation
import TallyTesting
import Testing

/// SQLite's extended result codes, which the C header defines as expressions Swift does not import.
enum Code {
    static let ioRead = SQLITE_IOERR | (1 << 8)
    static let shortRead = SQLITE_IOERR | (2 << 8)
    static let ioWrite = SQLITE_IOERR | (3 << 8)
    static let ioFsync = SQLITE_IOERR | (4 << 8)
}

/// One file opened through the fault VFS's own methods, below SQLite.
final class VFSFile {
    let vfs: UnsafeMutablePointer<sqlite3_vfs>
    let file: UnsafeMutablePointer<sqlite3_file>
    let path: String

    init(_ path: String) throws {
        #expect(tally_fault_vfs_register(0) == SQLITE_OK)
        vfs = try #require(sqlite3_vfs_find(TALLY_FAULT_VFS_NAME))
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Int(vfs.pointee.szOsFile), alignment: 16)
        file = raw.bindMemory(to: sqlite3_file.self, capacity: 1)
        self.path = path
        var outFlags: Int32 = 0
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB
        try #require(vfs.pointee.xOpen(vfs, path, file, flags, &outFlags) == SQLITE_OK)
    }

    deinit {
        _ = file.pointee.pMethods.pointee.xClose(file)
        file.deallocate()
    }

    var methods: sqlite3_io_methods { file.pointee.pMethods.pointee }

    func write(_ bytes: [UInt8], at offset: Int64) -> Int32 {
        bytes.withUnsafeBytes { methods.xWrite(file, $0.baseAddress, Int32($0.count), offset) }
    }

    func read(_ count: Int, at offset: Int64) -> (Int32, [UInt8]) {
        var buffer = [UInt8](repeating: 0xEE, count: count)
        let code = buffer.withUnsafeMutableBytes { methods.xRead(file, $0.baseAddress, Int32(count), offset) }
        return (code, buffer)
    }

    func sync() -> Int32 { methods.xSync(file, SQLITE_SYNC_NORMAL) }

    func truncate(_ size: Int64) -> Int32 { methods.xTruncate(file, size) }

    var size: Int64 {
        var size: sqlite3_int64 = -1
        _ = methods.xFileSize(file, &size)
        return size
    }

    /// What is really on disk, bypassing the VFS.
    var onDisk: [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? [] }
}

/// The VFS's plan and pending writes are process-wide, so these tests take turns.
@Suite(.serialized) struct FaultVFSTests {
    static let noFaults = tally_fault_plan()

    @Test func writesWaitForTheSyncButEveryHandleReadsThem() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let writer = try VFSFile(scratch.path("f"))
        let reader = try VFSFile(scratch.path("f"))
        #expect(writer.write(Array("hello".utf8), at: 0) == SQLITE_OK)
        #expect(writer.onDisk.isEmpty)
        #expect(reader.size == 5)
        #expect(reader.read(5, at: 0) == (SQLITE_OK, Array("hello".utf8)))
        let (code, tail) = reader.read(4, at: 3)
        #expect(code == Code.shortRead && tail == Array("lo".utf8) + [0, 0], "past the end reads as zeros, short")
        #expect(reader.sync() == SQLITE_OK)
        #expect(writer.onDisk == Array("hello".utf8), "a sync on any handle makes the path's writes durable")
    }

    @Test func powerLossKeepsSyncedDataAndASeededShareOfTheRest() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let file = try VFSFile(scratch.path("f"))
        #expect(file.write([1, 1, 1, 1], at: 0) == SQLITE_OK)
        #expect(file.sync() == SQLITE_OK)
        #expect(file.write([2, 2], at: 4) == SQLITE_OK)
        tally_fault_vfs_power_cut(7, 0)
        #expect(file.onDisk == [1, 1, 1, 1] || file.onDisk == [1, 1, 1, 1, 2, 2], "each op lands whole, torn or not at all")
        #expect(file.write([3, 3], at: 6) == SQLITE_OK)
        tally_fault_vfs_power_cut(7, 1_000_000)
        #expect(file.onDisk.suffix(2) == [3, 3], "keeping everything is a clean shutdown")
    }

    @Test func tornWritesLoseWholeSectorsOnly() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        var partial = 0
        for seed in 1...12 {
            let file = try VFSFile(scratch.path("torn-\(seed)"))
            #expect(file.write([UInt8](repeating: 0xAB, count: 16 * 512), at: 0) == SQLITE_OK)
            tally_fault_vfs_power_cut(UInt64(seed), 0)
            let sectors = stride(from: 0, to: file.onDisk.count, by: 512).map { Set(file.onDisk[$0..<min($0 + 512, file.onDisk.count)]) }
            #expect(sectors.allSatisfy { $0 == [0xAB] || $0 == [0] }, "seed \(seed): every sector is all new or all old")
            if sectors.contains([0xAB]) && file.onDisk.count == 16 * 512 && sectors.contains([0]) { partial += 1 }
        }
        #expect(partial > 0, "some of the twelve writes were torn")
    }

    @Test func truncatesWaitForTheSyncToo() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let file = try VFSFile(scratch.path("f"))
        #expect(file.write([UInt8](repeating: 9, count: 8_192), at: 0) == SQLITE_OK)
        #expect(file.sync() == SQLITE_OK)
        #expect(file.truncate(4_096) == SQLITE_OK)
        #expect(file.size == 4_096 && file.onDisk.count == 8_192)
        #expect(file.read(8, at: 4_092).0 == Code.shortRead)
        #expect(file.sync() == SQLITE_OK)
        #expect(file.onDisk.count == 4_096)
    }

    @Test func faultsFireOnScheduleAndAFailedSyncLeavesItsWritesPending() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let file = try VFSFile(scratch.path("f"))
        var plan = Self.noFaults
        plan.seed = 3
        plan.fail_write_at = 2
        plan.fail_sync_at = 1
        plan.fail_read_at = 1
        tally_fault_vfs_arm(&plan)
        defer { tally_fault_vfs_disarm() }
        #expect(file.write([1], at: 0) == SQLITE_OK)
        let failedWrite = file.write([2, 2, 2, 2], at: 1)
        #expect(failedWrite == SQLITE_FULL || failedWrite == Code.ioWrite)
        #expect(file.read(1, at: 0).0 == Code.ioRead)
        #expect(file.sync() == Code.ioFsync)
        #expect(file.onDisk.isEmpty, "a failed sync applies nothing")
        #expect(file.read(1, at: 0) == (SQLITE_OK, [1]), "but its writes are still pending")
        #expect(file.sync() == SQLITE_OK)
        #expect(file.onDisk.first == 1)
        var stats = tally_fault_stats()
        tally_fault_vfs_stats(&stats)
        #expect(stats.faults == 3 && stats.syncs == 2)
    }

    @Test func aFailedSyncCanLoseItsWritesForGoodWhileTheyStayReadable() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let file = try VFSFile(scratch.path("f"))
        var plan = Self.noFaults
        plan.fail_sync_at = 1
        plan.failed_sync_loses_writes = 1
        tally_fault_vfs_arm(&plan)
        defer { tally_fault_vfs_disarm() }
        #expect(file.write([7, 7], at: 0) == SQLITE_OK)
        #expect(file.sync() == Code.ioFsync)
        #expect(file.read(2, at: 0) == (SQLITE_OK, [7, 7]), "the page cache still shows them")
        #expect(file.write([8], at: 2) == SQLITE_OK)
        #expect(file.sync() == SQLITE_OK)
        #expect(file.onDisk == [0, 0, 8], "the next sync writes only what came after the failure")
    }

    @Test func faultsStopAfterTheirBudget() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let file = try VFSFile(scratch.path("f"))
        var plan = Self.noFaults
        plan.seed = 5
        plan.write_fault_ppm = 1_000_000
        plan.faults_stop_after = 3
        tally_fault_vfs_arm(&plan)
        defer { tally_fault_vfs_disarm() }
        let codes = (0..<6).map { file.write([UInt8($0)], at: Int64($0)) }
        #expect(codes.prefix(3).allSatisfy { $0 != SQLITE_OK } && codes.suffix(3).allSatisfy { $0 == SQLITE_OK }, "\(codes)")
    }

    @Test func sqliteRunsAWALDatabaseThroughTheVFS() throws {
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        #expect(tally_fault_vfs_register(0) == SQLITE_OK)
        let path = scratch.path("db")
        var writer: OpaquePointer?
        var reader: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        try #require(sqlite3_open_v2(path, &writer, flags, TALLY_FAULT_VFS_NAME) == SQLITE_OK)
        try #require(sqlite3_open_v2(path, &reader, flags, TALLY_FAULT_VFS_NAME) == SQLITE_OK)
        defer {
            sqlite3_close_v2(reader)
            sqlite3_close_v2(writer)
        }
        #expect(sqlite3_exec(writer, "PRAGMA journal_mode = WAL; CREATE TABLE t (x)", nil, nil, nil) == SQLITE_OK)
        let insert = "BEGIN; " + String(repeating: "INSERT INTO t VALUES (randomblob(500)); ", count: 500) + "COMMIT"
        #expect(sqlite3_exec(writer, insert, nil, nil, nil) == SQLITE_OK)
        #expect(Self.single(reader, "SELECT count(*) FROM t") == "500")
        #expect(Self.single(reader, "PRAGMA integrity_check") == "ok")

        var plan = Self.noFaults
        plan.fail_sync_at = 1
        tally_fault_vfs_arm(&plan)
        defer { tally_fault_vfs_disarm() }
        sqlite3_extended_result_codes(writer, 1)
        #expect(sqlite3_exec(writer, "INSERT INTO t VALUES (1)", nil, nil, nil) == Code.ioFsync)
        #expect(Self.single(reader, "SELECT count(*) FROM t") == "500", "the failed commit is not visible")
        #expect(sqlite3_exec(writer, "INSERT INTO t VALUES (2)", nil, nil, nil) == SQLITE_OK)
        #expect(Self.single(reader, "SELECT count(*) FROM t") == "501")
    }

    static func single(_ db: OpaquePointer?, _ sql: String) -> String? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { return nil }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) else { return nil }
        return String(cString: text)
    }
}
