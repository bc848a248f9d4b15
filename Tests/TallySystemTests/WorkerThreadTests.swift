// A worker's stop() wakes a loop sleeping on its condition and returns only after the loop has.
import Foundation
import Synchronization
import Testing
import TallySystem

@Suite struct WorkerThreadTests {
    /// What the loop reports to the test thread.
    final class Progress: Sendable {
        let rounds = Atomic<Int>(0)
        let done = Atomic<Bool>(false)
    }

    @Test func stopWakesTheLoopAndWaitsForIt() {
        let worker = WorkerThread()
        let progress = Progress()
        worker.start(name: "tally-test-worker") {
            worker.condition.lock()
            while !worker.isStopping {
                progress.rounds.add(1, ordering: .relaxed)
                // An hour: only stop()'s broadcast can end this wait within the test.
                _ = worker.condition.wait(until: Date(timeIntervalSinceNow: 3_600))
            }
            worker.condition.unlock()
            usleep(20_000)
            progress.done.store(true, ordering: .sequentiallyConsistent)
        }
        while progress.rounds.load(ordering: .relaxed) == 0 { usleep(1_000) }
        worker.stop()
        let done = progress.done.load(ordering: .sequentiallyConsistent)
        let rounds = progress.rounds.load(ordering: .relaxed)
        #expect(done)
        #expect(rounds == 1)
    }
}
