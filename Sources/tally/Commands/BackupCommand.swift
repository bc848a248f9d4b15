import Foundation
import TallyServer
import TallyStore

/// `tally backup PATH [--database DB]`: an online, consistent copy of the database, safe to take
/// while `tally serve` runs.
enum BackupCommand {
    static let usage = "tally backup PATH [--database DB]"

    static func run(_ arguments: [String]) throws(UsageError) -> Int32 {
        guard let target = arguments.first, !target.hasPrefix("--") else { throw UsageError("backup needs a target PATH") }
        let options = try Arguments(Array(arguments.dropFirst()), flagNames: [])
        if let unknown = options.unknown(besides: ["database"]).first { throw UsageError("unknown option --\(unknown)") }
        // The same database `tally serve` would open: --database, else TALLY_DATABASE, else the default.
        let source = options.string("database") ?? ProcessInfo.processInfo.environment["TALLY_DATABASE"]
            ?? ServerConfiguration().database
        do throws(StoreError) {
            try Store.backup(path: source, to: target)
            print("backed up \(source) to \(target)")
            return 0
        } catch {
            printError("tally backup: \(error)")
            return 1
        }
    }
}
