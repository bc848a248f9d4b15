// The concurrency caps: never more than the global or per-endpoint number in flight, endpoints
// take turns, and every queued item is admitted exactly once.
@testable import TallyWebhooks
import Testing
import TallyTesting

@Suite struct AdmissionQueueTests {
    @Test func capsHoldAndEndpointsTakeTurns() {
        var queue = AdmissionQueue<Int>(maxInFlight: 3, maxPerEndpoint: 2)
        for item in 0..<4 { queue.enqueue(item, endpoint: "a") }
        queue.enqueue(10, endpoint: "b")
        let first = (0..<5).compactMap { _ in queue.admit() }
        #expect(first.map(\.endpoint) == ["a", "b", "a"], "a, then b's turn, then a again; the global cap stops it there")
        queue.finished(endpoint: "b")
        #expect(queue.admit() == nil, "a is at its cap of 2")
        queue.finished(endpoint: "a")
        #expect(queue.admit()?.item == 2)
        #expect(queue.waitingCount == 1 && queue.inFlight == 2)
    }

    @Test(arguments: [UInt64(11), 2_026])
    func randomRunsRespectBothCaps(seed: UInt64) {
        print("AdmissionQueue seed \(seed)")
        var random = SplitMix64(seed: seed)
        var queue = AdmissionQueue<Int>(maxInFlight: 5, maxPerEndpoint: 2)
        var running: [(String, Int)] = []
        var waiting: [String: Int] = [:]
        var admitted: [Int] = []
        var next = 0
        for _ in 0..<5_000 {
            if random.chance(50) {
                let endpoint = "e\(random.below(4))"
                queue.enqueue(next, endpoint: endpoint)
                waiting[endpoint, default: 0] += 1
                next += 1
            } else if !running.isEmpty, random.chance(50) {
                queue.finished(endpoint: running.remove(at: random.below(running.count)).0)
            }
            while let (endpoint, item) = queue.admit() {
                running.append((endpoint, item))
                waiting[endpoint, default: 0] -= 1
                admitted.append(item)
            }
            #expect(running.count <= 5, "seed \(seed)")
            #expect(Dictionary(grouping: running, by: \.0).values.allSatisfy { $0.count <= 2 }, "seed \(seed)")
            if running.count < 5 {
                for (endpoint, count) in waiting where count > 0 {
                    #expect(running.filter { $0.0 == endpoint }.count == 2, "seed \(seed): \(endpoint) waits with room")
                }
            }
        }
        #expect(Set(admitted).count == admitted.count, "seed \(seed): nothing admitted twice")
        #expect(queue.removeAllWaiting().count + admitted.count == next, "seed \(seed)")
    }
}
