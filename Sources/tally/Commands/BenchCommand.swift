import Foundation
import TallyCore
import TallyEngine

/// `tally bench`: the in-process authorize-and-debit load, or with `--raw` the same SQLite
/// writes with the same batching from one thread; prints one JSON object as its last line.
enum BenchCommand {
    static let usage =
        "tally bench [--accounts N] [--concurrency C] [--seconds S] [--hot] [--durability full|normal] [--raw] [--database PATH --overwrite]"
    static let flags: Set = ["hot", "raw", "overwrite"]

    static func run(_ arguments: Arguments) async throws(UsageError) -> Int32 {
        let settings = try BenchSettings(arguments)
        do {
            let report = settings.raw ? try RawBench(settings).run() : try await EngineBench(settings).run()
            print(report.json)
            return 0
        } catch {
            printError("tally bench: \(error)")
            return 1
        }
    }
}

/// What a benchmark run measured.
struct BenchReport {
    let settings: BenchSettings
    let operations: Int
    let elapsedNanoseconds: UInt64
    let latency: LatencySummary
    let extra: [String: String]

    var json: String {
        let seconds = Double(elapsedNanoseconds) / 1e9
        var fields: [(String, String)] = [
            ("mode", "\"\(settings.mode)\""), ("accounts", String(settings.hot ? 1 : settings.accounts)),
            ("concurrency", String(settings.concurrency)), ("seconds", String(settings.seconds)),
            ("durability", "\"\(settings.durability.rawValue)\""), ("operations", String(operations)),
            ("ops_per_second", String(Int(Double(operations) / seconds))),
            ("p50_ms", String(latency.p50Ms)), ("p99_ms", String(latency.p99Ms)), ("p999_ms", String(latency.p999Ms)),
        ]
        fields += extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}
