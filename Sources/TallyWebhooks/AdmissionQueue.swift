/// Waiting deliveries and the two concurrency caps: at most `maxInFlight` in all and
/// `maxPerEndpoint` per endpoint, endpoints taking turns so one busy endpoint cannot starve the
/// others.
struct AdmissionQueue<Item> {
    let maxInFlight: Int
    let maxPerEndpoint: Int
    private var waiting: [String: FIFO<Item>] = [:]
    private var inFlightByEndpoint: [String: Int] = [:]
    /// Endpoints with waiting items and room under their cap, each once, in turn order.
    private var ready = FIFO<String>()
    private(set) var inFlight = 0
    private(set) var waitingCount = 0

    init(maxInFlight: Int, maxPerEndpoint: Int) {
        self.maxInFlight = max(1, maxInFlight)
        self.maxPerEndpoint = max(1, maxPerEndpoint)
    }

    /// Queues an item for an endpoint.
    mutating func enqueue(_ item: Item, endpoint: String) {
        let wasIdle = waiting[endpoint]?.isEmpty ?? true
        waiting[endpoint, default: FIFO()].append(item)
        waitingCount += 1
        if wasIdle, inFlightByEndpoint[endpoint, default: 0] < maxPerEndpoint { ready.append(endpoint) }
    }

    /// The next item both caps allow, counted as in flight until `finished` is called for it.
    mutating func admit() -> (endpoint: String, item: Item)? {
        guard inFlight < maxInFlight, let endpoint = ready.popFirst(), let item = waiting[endpoint]?.popFirst() else { return nil }
        waitingCount -= 1
        inFlight += 1
        let running = inFlightByEndpoint[endpoint, default: 0] + 1
        inFlightByEndpoint[endpoint] = running
        if waiting[endpoint]?.isEmpty ?? true {
            waiting[endpoint] = nil
        } else if running < maxPerEndpoint {
            ready.append(endpoint)
        }
        return (endpoint, item)
    }

    /// Frees the slot an admitted item of `endpoint` held.
    mutating func finished(endpoint: String) {
        inFlight -= 1
        let running = inFlightByEndpoint[endpoint, default: 1] - 1
        inFlightByEndpoint[endpoint] = running == 0 ? nil : running
        // At its cap the endpoint was out of turn; now it has room again.
        if running == maxPerEndpoint - 1, !(waiting[endpoint]?.isEmpty ?? true) { ready.append(endpoint) }
    }

    /// Removes and returns every waiting item.
    mutating func removeAllWaiting() -> [Item] {
        var items: [Item] = []
        for var queue in waiting.values {
            while let item = queue.popFirst() { items.append(item) }
        }
        waiting = [:]
        ready = FIFO()
        waitingCount = 0
        return items
    }
}

/// A first-in first-out queue with O(1) amortised operations.
struct FIFO<Element> {
    private var elements: [Element?] = []
    private var head = 0

    var isEmpty: Bool { head == elements.count }

    mutating func append(_ element: Element) { elements.append(element) }

    mutating func popFirst() -> Element? {
        guard head < elements.count else { return nil }
        let element = elements[head]
        elements[head] = nil
        head += 1
        // Reclaim the consumed prefix once it is most of the storage.
        if head > 32, head * 2 > elements.count {
            elements.removeFirst(head)
            head = 0
        }
        return element
    }
}
