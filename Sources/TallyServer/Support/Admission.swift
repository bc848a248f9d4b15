import Synchronization

/// Admits a request only while the requests already in flight are few enough to be answered
/// within the queueing bound, so past capacity the rest are refused at once with 503 instead of
/// every answer slowing down.
///
/// By Little's law, `throughput × bound` requests in flight are answered within the bound. While
/// answers come slower than the bound (a smoothed latency, so one slow commit does not count), the
/// limit drops to that product, measured over the last window of answers (at most once per
/// ``cutIntervalNs``): never below what the server just showed it can answer, so refusing never
/// costs throughput. While answers come faster than half the bound it grows by 1/limit per
/// answer, about one per round of answers, back towards the ceiling.
public final class Admission: Sendable {
    /// The fewest requests ever admitted at once, so a burst of slow answers cannot stop all work.
    public static let minimumLimit = 8
    /// The most requests admitted at once, whatever the answers' times.
    public static let maximumLimit = 4_096
    /// The shortest time between two cuts of the limit.
    public static let cutIntervalNs: UInt64 = 10_000_000
    /// How long a window of answers is counted to measure throughput.
    public static let windowNs: UInt64 = 100_000_000

    private struct State {
        var inFlight = 0
        var limit: Double
        var lastCutNs: UInt64 = 0
        /// Smoothed over about the last 16 answers.
        var latencyNs: Double = 0
        var windowStartNs: UInt64 = 0
        var windowAnswers = 0
        /// Answers per second in the last whole window; 0 until one was measured.
        var throughput: Double = 0
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
            count(&state, latencyNs: latencyNs, nowNs: nowNs)
            if state.latencyNs > Double(boundNs) {
                guard nowNs &- state.lastCutNs >= Self.cutIntervalNs else { return }
                state.lastCutNs = nowNs
                // Without a measured window yet, a tenth off stands in for the product.
                let sustainable = state.throughput > 0 ? state.throughput * Double(boundNs) / 1e9 : state.limit * 0.9
                state.limit = max(Double(Self.minimumLimit), min(state.limit, sustainable))
            } else if state.latencyNs < Double(boundNs / 2) {
                state.limit = min(Double(Self.maximumLimit), state.limit + 1 / state.limit)
            }
        }
    }

    private func count(_ state: inout State, latencyNs: UInt64, nowNs: UInt64) {
        state.latencyNs += (Double(latencyNs) - state.latencyNs) / 16
        if state.windowStartNs == 0 { state.windowStartNs = nowNs }
        state.windowAnswers += 1
        let elapsed = nowNs &- state.windowStartNs
        guard elapsed >= Self.windowNs else { return }
        state.throughput = Double(state.windowAnswers) * 1e9 / Double(elapsed)
        state.windowStartNs = nowNs
        state.windowAnswers = 0
    }

    /// How many requests may be in flight now.
    public var limit: Int { state.withLock { Int($0.limit) } }

    /// How many requests are in flight now.
    public var inFlight: Int { state.withLock { $0.inFlight } }
}
