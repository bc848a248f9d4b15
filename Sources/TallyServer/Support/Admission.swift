import Synchronization

/// Admits a request only while the requests already in flight are few enough to be answered
/// within the queueing bound, so past capacity the rest are refused at once with 503 instead of
/// every answer slowing down.
///
/// The limit adapts the way TCP's congestion window does: an answer slower than the bound cuts it
/// by a tenth (at most once per ``cutIntervalNs``, since one backlog makes many answers slow at
/// once), and each answer faster than half the bound raises it by 1/limit, about one per round of
/// answers. The writer's own bound (DESIGN §7) still refuses a mutation that would queue too long;
/// this one keeps the time before the engine is reached short as well, which it cannot see.
public final class Admission: Sendable {
    /// The fewest requests ever admitted at once, so a burst of slow answers cannot stop all work.
    public static let minimumLimit = 8
    /// The most requests admitted at once, whatever the answers' times.
    public static let maximumLimit = 4_096
    /// The shortest time between two cuts of the limit.
    public static let cutIntervalNs: UInt64 = 10_000_000

    private struct State {
        var inFlight = 0
        var limit: Double
        var lastCutNs: UInt64 = 0
    }

    private let boundNs: UInt64
    private let state: Mutex<State>

    /// Creates an admission control whose answers should come within `boundMs`, starting at `initialLimit`.
    public init(boundMs: Int, initialLimit: Int = Admission.maximumLimit) {
        precondition(boundMs > 0, "a zero bound would refuse everything")
        boundNs = UInt64(boundMs) * 1_000_000
        state = Mutex(State(limit: Double(min(max(initialLimit, Self.minimumLimit), Self.maximumLimit))))
    }

    /// Takes a place for a request; false when the limit is reached and it must be refused.
    public func enter() -> Bool {
        state.withLock { state in
            guard state.inFlight < Int(state.limit) else { return false }
            state.inFlight += 1
            return true
        }
    }

    /// Gives the place back once the request was answered after `latencyNs`, at `nowNs` (monotonic).
    public func leave(latencyNs: UInt64, nowNs: UInt64) {
        state.withLock { state in
            precondition(state.inFlight > 0, "leave() without enter()")
            state.inFlight -= 1
            if latencyNs > boundNs {
                guard nowNs &- state.lastCutNs >= Self.cutIntervalNs else { return }
                state.lastCutNs = nowNs
                state.limit = max(Double(Self.minimumLimit), state.limit * 0.9)
            } else if latencyNs < boundNs / 2 {
                state.limit = min(Double(Self.maximumLimit), state.limit + 1 / state.limit)
            }
        }
    }

    /// How many requests may be in flight now.
    public var limit: Int { state.withLock { Int($0.limit) } }

    /// How many requests are in flight now.
    public var inFlight: Int { state.withLock { $0.inFlight } }
}
