import CTallyCurl
import Foundation
import Synchronization

/// Sends webhook attempts from one dedicated thread running libcurl's multi interface.
///
/// The thread owns the multi handle: connections are reused across attempts (HTTP/2 where the
/// receiver offers it), at most `maxInFlight` transfers run at once and at most
/// `maxInFlightPerEndpoint` per endpoint, the rest wait in order. Every connect goes through the
/// SSRF guard on the resolved address. Nothing here blocks Swift's cooperative pool.
///
/// The first client loads libcurl; if it cannot be loaded, no thread starts and every attempt
/// ends at once with outcome `other` and the reason, so deliveries are retried and logged like
/// network failures while the rest of the server runs on.
public final class DeliveryClient: @unchecked Sendable {
    // `inbox` is the only state shared between threads; `multi` is used by other threads only
    // for `curl_multi_wakeup`, which libcurl allows from any thread. Everything else belongs to
    // the delivery thread.
    private let inbox: Mutex<Inbox>
    /// Nil when libcurl could not be loaded.
    private let multi: UnsafeMutableRawPointer?
    private let configuration: DeliveryConfiguration
    private let stopped = DispatchSemaphore(value: 0)
    private var queue: AdmissionQueue<Pending>
    private var running: [UnsafeMutableRawPointer: Transfer] = [:]

    private struct Inbox {
        var submitted: [Pending] = []
        /// Why submissions are refused: set at shutdown, or from the start without libcurl.
        var refusal: String?
    }

    private struct Pending {
        let request: DeliveryRequest
        let completion: @Sendable (DeliveryResult) -> Void
    }

    /// Starts the delivery thread, loading libcurl first if no client has yet.
    public init(configuration: DeliveryConfiguration) {
        self.configuration = configuration
        self.queue = AdmissionQueue(maxInFlight: configuration.maxInFlight, maxPerEndpoint: configuration.maxInFlightPerEndpoint)
        if let failure = ctally_curl_load() {
            inbox = Mutex(Inbox(refusal: String(cString: failure)))
            multi = nil
            return
        }
        guard let multi = ctally_curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.inbox = Mutex(Inbox())
        self.multi = multi
        _ = ctally_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxInFlight)
        _ = ctally_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxInFlight)
        let thread = Thread { [self] in run() }
        thread.name = "tally-webhooks"
        thread.start()
    }

    /// Queues one attempt. `completion` runs on the delivery thread when the attempt ends (so it
    /// must be quick and must not block: resume a continuation or hand the result on), or at
    /// once on the caller's thread if the client is shut down.
    public func submit(_ request: DeliveryRequest, completion: @escaping @Sendable (DeliveryResult) -> Void) {
        // Waking under the lock means the thread cannot have seen the shutdown and freed the
        // multi handle in between.
        let refusal = inbox.withLock { inbox -> String? in
            if let refusal = inbox.refusal { return refusal }
            inbox.submitted.append(Pending(request: request, completion: completion))
            ctally_curl_multi_wakeup(multi)
            return nil
        }
        if let refusal { completion(.notSent(refusal)) }
    }

    /// Sends one attempt and waits for its result without holding a thread of the pool.
    public func deliver(_ request: DeliveryRequest) async -> DeliveryResult {
        await withCheckedContinuation { continuation in
            submit(request) { continuation.resume(returning: $0) }
        }
    }

    /// Stops the thread: attempts in flight or waiting end at once with outcome `other`, and
    /// later submissions are refused. Returns when the thread has finished.
    public func shutdown() {
        let first = inbox.withLock { inbox in
            guard inbox.refusal == nil else { return false }
            inbox.refusal = "the delivery client is shut down"
            ctally_curl_multi_wakeup(multi)
            return true
        }
        if first { stopped.wait() }
    }

    private func run() {
        while true {
            let (submitted, stopping) = inbox.withLock { inbox in
                defer { inbox.submitted = [] }
                return (inbox.submitted, inbox.refusal != nil)
            }
            for pending in submitted { queue.enqueue(pending, endpoint: pending.request.endpointID) }
            if stopping { break }
            startAdmitted()
            var stillRunning: Int32 = 0
            ctally_curl_multi_perform(multi, &stillRunning)
            // A finished transfer frees a slot: go round again before sleeping.
            if finishDone() > 0 { continue }
            ctally_curl_multi_poll(multi, 1_000)
        }
        abandonAll()
        ctally_curl_multi_cleanup(multi)
        stopped.signal()
    }

    private func startAdmitted() {
        while let (_, pending) = queue.admit() {
            guard let transfer = Transfer(pending.request, configuration: configuration, completion: pending.completion),
                transfer.configure(), ctally_curl_multi_add_handle(multi, transfer.easy) == CURLM_OK
            else {
                queue.finished(endpoint: pending.request.endpointID)
                pending.completion(.notSent("libcurl refused the request (check the URL)"))
                continue
            }
            running[transfer.easy] = transfer
        }
    }

    /// Completes every transfer libcurl has finished; returns how many.
    private func finishDone() -> Int {
        var finished = 0
        var left: Int32 = 0
        while let message = ctally_curl_multi_info_read(multi, &left) {
            guard ctally_curl_msg_is_done(message) != 0, let easy = ctally_curl_msg_easy(message),
                let transfer = running.removeValue(forKey: easy)
            else { continue }
            let result = transfer.result(ctally_curl_msg_result(message))
            ctally_curl_multi_remove_handle(multi, easy)
            queue.finished(endpoint: transfer.request.endpointID)
            transfer.completion(result)
            finished += 1
        }
        return finished
    }

    private func abandonAll() {
        for (easy, transfer) in running {
            ctally_curl_multi_remove_handle(multi, easy)
            transfer.completion(.notSent("the delivery client shut down mid-attempt"))
        }
        running = [:]
        for pending in queue.removeAllWaiting() { pending.completion(.notSent("the delivery client is shut down")) }
    }
}
