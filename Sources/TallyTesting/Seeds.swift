import Glibc

/// The seeds a seeded simulation runs: the one in the environment variable `replay` when it is
/// set, to repeat a run exactly; else the fixed regression seeds, then one drawn at random.
///
/// A parameterized test over these runs its fixed seeds every time, so a seed that once found a
/// bug keeps guarding against it, while the random one explores; each run prints its seed.
public func simulationSeeds(_ fixed: [UInt64], replay: String) -> [UInt64] {
    if let value = getenv(replay).map({ String(cString: $0) }), let seed = UInt64(value) { return [seed] }
    return fixed + [UInt64.random(in: 1...UInt64(UInt32.max))]
}
