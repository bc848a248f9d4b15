// A seeded random simulation: the Engine and ReferenceWallet run side by side over several accounts
// (some on daily or weekly plans, some with balance levels) with a manual clock; every answer and
// balance must agree, and at each restart the period starts and alerts the engine wrote must be
// exactly the model's, in order, with a clean verifier. It runs a fixed regression seed and a
// random one.
import Foundation
import TallyCore
import TallyEngine
import TallyStore
import TallyTesting
import Testing

extension SplitMix64 {
    /// An amount in `range`.
    mutating func amount(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
}

@Suite struct SimulationTests {
    @Test(.serialized, arguments: simulationSeeds([2_026], replay: "TALLY_SIM_SEED"))
    func engineMatchesReferenceModel(seed: UInt64) async throws {
        let operations = ProcessInfo.processInfo.environment["TALLY_SIM_OPS"].flatMap { Int($0) } ?? 100_000
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
