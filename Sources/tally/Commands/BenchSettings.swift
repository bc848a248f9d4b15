import Foundation
import TallyStore

/// The options of `tally bench`.
struct BenchSettings {
    let accounts: Int
    let concurrency: Int
    let seconds: Int
    let hot: Bool
    let raw: Bool
    let durability: Durability
    let path: String

    init(_ arguments: Arguments) throws(UsageError) {
        let known: Set = ["accounts", "concurrency", "seconds", "hot", "raw", "durability", "database", "overwrite"]
        if let unknown = arguments.unknown(besides: known).first { throw UsageError("unknown option --\(unknown)") }
        accounts = try arguments.int("accounts", default: 10_000)
        concurrency = try arguments.int("concurrency", default: 64)
        seconds = try arguments.int("seconds", default: 10)
        hot = arguments.flag("hot")
        raw = arguments.flag("raw")
        guard let durability = Durability(rawValue: arguments.string("durability") ?? "full") else {
            throw UsageError("--durability is full or normal")
        }
        self.durability = durability
        path = arguments.string("database") ?? NSTemporaryDirectory() + "tally-bench-\(getpid()).sqlite"
        let exists = FileManager.default.fileExists(atPath: path)
        guard !exists || arguments.flag("overwrite") else {
            throw UsageError("\(path) exists; the benchmark needs a fresh file (pass --overwrite to replace it)")
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    var storeConfiguration: StoreConfiguration { StoreConfiguration(path: path, durability: durability) }

    var mode: String { (raw ? "raw" : "engine") + (hot ? "-hot" : "") }
}

/// Latency samples and how to summarize them.
struct LatencySummary {
    let p50Ms: Double
    let p99Ms: Double
    let p999Ms: Double

    init(nanoseconds samples: [UInt64]) {
        let sorted = samples.sorted()
        func at(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int(Double(sorted.count) * fraction))
            return (Double(sorted[index]) / 1_000_000 * 1_000).rounded() / 1_000
        }
        p50Ms = at(0.50)
        p99Ms = at(0.99)
        p999Ms = at(0.999)
    }
}
