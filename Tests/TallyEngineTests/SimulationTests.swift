// A seeded random simulation: the Engine and ReferenceWallet run side by side over several accounts
// with a manual clock; every answer and balance must agree, across restarts, with a clean verifier.
import Foundation
import TallyCore
import TallyEngine
import TallyStore
import Testing

/// A small seedable generator (SplitMix64), so a failing run can be repeated from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }
    mutating func amount(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

@Suite struct SimulationTests {
    @Test func engineMatchesReferenceModel() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["TALLY_SIM_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        let operations = environment["TALLY_SIM_OPS"].flatMap { Int($0) } ?? 100_000
        let streams = 4
        print("TALLY_SIM_SEED=\(seed) TALLY_SIM_OPS=\(operations) (\(streams) streams, rerun with these variables)")
        let failures = await withTaskGroup(of: String?.self) { group in
            for stream in 0..<streams {
                group.addTask {
                    let database: TempDatabase
                    do { database = try TempDatabase() } catch { return "stream \(stream): \(error)" }
                    defer { database.remove() }
                    do {
                        let simulation = try Simulation(seed: seed, stream: stream, path: database.path)
                        try await simulation.run(steps: operations / streams)
                        return nil
                    } catch {
                        return "TALLY_SIM_SEED=\(seed) stream \(stream): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
    }
}

/// Why a simulation stopped.
struct SimulationFailure: Error, CustomStringConvertible {
    let description: String
}
