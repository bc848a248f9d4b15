/// A small, fast, seedable random generator (SplitMix64).
///
/// Simulations, property tests and load generators print the seed they start from, so a failing
/// run can be repeated exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator that always produces the same sequence for the same seed.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A number in `0..<bound`.
    public mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<bound, using: &self) }

    /// True `percent` times out of a hundred.
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// A random idempotency key: base-36 text of 128 random bits.
    public mutating func key() -> String { String(next(), radix: 36) + String(next(), radix: 36) }
}
