// Proves the `tally` CLI contract: version/help, usage errors exit 2, verify (clean 0, tampered 1, missing
// file 1), backup (a consistent copy that verifies clean, never overwriting), and bench's JSON report
// line, with --raw, refusing an existing file without --overwrite.
import Foundation
@testable import TallyStore
import TallyTesting
import Testing

extension CLITests {
    @Suite struct CommandTests {
        @Test func versionPrintsTheVersion() async throws {
            let result = try await runTally(["version"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.hasPrefix("tally "), "\(result)")
            #expect(result.lines.count == 1)
            let flag = try await runTally(["--version"])
            #expect(flag.status == 0)
            #expect(flag.stdout == result.stdout)
        }

        @Test func helpPrintsTheUsage() async throws {
            for arguments in [["help"], ["--help"], []] {
                let result = try await runTally(arguments)
                #expect(result.status == 0, "\(arguments): \(result)")
                #expect(result.stdout.contains("usage: tally <command>"), "\(result)")
                for command in ["tally verify --database PATH", "tally bench", "tally churn", "tally version"] {
                    #expect(result.stdout.contains(command), "help lists \(command)")
                }
            }
        }

        @Test func usageErrorsExitTwoWithTheUsage() async throws {
            let cases: [([String], String)] = [
                (["frobnicate"], "unknown command 'frobnicate'"),
                (["verify"], "--database is required"),
                (["verify", "stray"], "unexpected argument 'stray'"),
                (["bench", "--bogus", "1"], "unknown option --bogus"),
                (["bench", "--accounts", "zero"], "--accounts must be a positive integer"),
                (["bench", "--durability", "sometimes"], "--durability is full or normal"),
                (["churn", "--database"], "--database needs a value"),
            ]
            for (arguments, message) in cases {
                let result = try await runTally(arguments)
                #expect(result.status == 2, "\(arguments): \(result)")
                #expect(result.stderr.contains(message), "\(arguments): \(result)")
                #expect(result.stderr.contains("usage: tally <command>"), "\(arguments): \(result)")
                #expect(result.stdout.isEmpty, "\(arguments): \(result)")
            }
        }

        @Test func verifyOfAMissingOrDamagedFileFails() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let missing = directory.path("absent.db")
            let result = try await runTally(["verify", "--database", missing])
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("no database at \(missing)"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: missing), "verify must not create the file")

            let garbage = directory.path("garbage.db")
            try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: garbage))
            let damaged = try await runTally(["verify", "--database", garbage])
            #expect(damaged.status == 1, "\(damaged)")
            #expect(damaged.stderr.contains("tally verify:"), "\(damaged)")
        }

        @Test func verifyIsCleanOnAChurnedDatabaseAndReportsTampering() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let database = directory.path("churn.db")
            let churn = try await runTally(["churn", "--database", database, "--accounts", "4", "--concurrency", "4", "--seconds", "1"])
            #expect(churn.status == 0, "\(churn)")
            #expect(churn.lines.first == "ready", "\(churn)")
            #expect(churn.lines.dropFirst().allSatisfy { $0.hasPrefix("ack churn-") })
            #expect(churn.lines.count > 1, "churn acknowledged some mutations")

            let copy = directory.path("backup.db")
            let backup = try await runTally(["backup", copy, "--database", database])
            #expect(backup.status == 0, "\(backup)")
            let copied = try await runTally(["verify", "--database", copy])
            #expect(copied.status == 0 && copied.stdout.contains("clean"), "the backup is a consistent ledger: \(copied)")
            let again = try await runTally(["backup", copy, "--database", database])
            #expect(again.status == 1, "an existing file is never overwritten")

            let clean = try await runTally(["verify", "--database", database])
            #expect(clean.status == 0, "\(clean)")
            #expect(clean.lines.last == "checked 4 accounts: clean", "\(clean)")
            #expect(!clean.stdout.contains("violation"))

            // Move one credit from consumed back to remaining: the row still passes its CHECK, but
            // no longer matches the ledger.
            let (lot, account) = try tamperOneLot(database)
            let tampered = try await runTally(["verify", "--database", database])
            #expect(tampered.status == 1, "\(tampered)")
            let violations = tampered.lines.filter { $0.hasPrefix("violation: ") }
            #expect(!violations.isEmpty, "\(tampered)")
            #expect(violations.allSatisfy { $0.hasPrefix("violation: \(account): ") }, "\(tampered)")
            #expect(violations.contains { $0.contains("lot \(lot)") }, "\(tampered)")
            #expect(tampered.lines.last == "checked 4 accounts: \(violations.count) violations", "\(tampered)")
        }

        /// Moves 1 from consumed to remaining in the first lot that consumed anything.
        func tamperOneLot(_ path: String) throws -> (lot: Int64, account: String) {
            let connection = try Connection(path: path)
            let target = try #require(
                try connection.cached("SELECT id, account_id FROM lots WHERE consumed > 0 ORDER BY id LIMIT 1")
                    .rows { ($0.int(0), $0.text(1)) }.first)
            try connection.execute("UPDATE lots SET remaining = remaining + 1, consumed = consumed - 1 WHERE id = \(target.0)")
            #expect(connection.changes == 1)
            return target
        }

        static let benchKeys = ["mode", "accounts", "concurrency", "seconds", "operations", "ops_per_second", "p50_ms", "p99_ms", "p999_ms"]

        /// Parses the last stdout line of a bench run as a JSON object.
        func benchReport(_ result: RunResult) throws -> [String: Any] {
            let last = try #require(result.lines.last, "\(result)")
            let object = try JSONSerialization.jsonObject(with: Data(last.utf8))
            return try #require(object as? [String: Any], "\(last)")
        }

        func checkBenchReport(_ report: [String: Any], mode: String) {
            for key in Self.benchKeys { #expect(report[key] != nil, "bench reports \(key): \(report)") }
            #expect(report["mode"] as? String == mode)
            #expect((report["accounts"] as? NSNumber)?.intValue == 50)
            #expect((report["concurrency"] as? NSNumber)?.intValue == 8)
            #expect((report["seconds"] as? NSNumber)?.intValue == 1)
            #expect(report["durability"] as? String == "full")
            let operations = (report["operations"] as? NSNumber)?.intValue ?? 0
            #expect(operations > 0, "the benchmark did some work: \(report)")
            let percentiles = ["p50_ms", "p99_ms", "p999_ms"].compactMap { (report[$0] as? NSNumber)?.doubleValue }
            #expect(percentiles.count == 3)
            #expect(percentiles == percentiles.sorted(), "percentiles are ordered: \(percentiles)")
            #expect(((report["ops_per_second"] as? NSNumber)?.intValue ?? -1) >= 0)
        }

        @Test func benchPrintsItsReportAsTheLastLine() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let result = try await runTally(["bench", "--accounts", "50", "--concurrency", "8", "--seconds", "1", "--database", directory.path("bench.db")])
            #expect(result.status == 0, "\(result)")
            checkBenchReport(try benchReport(result), mode: "engine")
        }

        @Test func rawBenchPrintsItsReportAndRefusesAnExistingFile() async throws {
            let directory = try TempDirectory()
            defer { directory.remove() }
            let database = directory.path("raw.db")
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: database))
            let arguments = ["bench", "--raw", "--accounts", "50", "--concurrency", "8", "--seconds", "1", "--database", database]

            let refused = try await runTally(arguments)
            #expect(refused.status == 2, "\(refused)")
            #expect(refused.stderr.contains("pass --overwrite"), "\(refused)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == Data("keep me".utf8), "the file is untouched")

            let result = try await runTally(arguments + ["--overwrite"])
            #expect(result.status == 0, "\(result)")
            checkBenchReport(try benchReport(result), mode: "raw")
        }
    }
}

extension CLITests {
    /// `tally check-config` accepts the shipped default and lists every problem of a broken file.
    @Suite struct CheckConfigTests {
        @Test func checksTheDefaultAndListsEveryProblem() async throws {
            let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../config/tally.json").standardizedFileURL.path
            let good = try await runTally(["check-config", shipped])
            #expect(good.status == 0, "\(good)")
            let directory = try TempDirectory()
            defer { directory.remove() }
            let broken = directory.path("broken.json")
            try #"{"plans": {"x": {"allowance": -1, "period": "fortnight"}}, "listen": 5, "extra": true}"#
                .write(toFile: broken, atomically: true, encoding: .utf8)
            let bad = try await runTally(["check-config", broken])
            #expect(bad.status == 1)
            for path in ["$.plans.x.period", "$.plans.x.allowance", "$.listen", "$.extra"] {
                #expect(bad.stdout.contains(path), "\(path) in \(bad)")
            }
        }
    }
}
