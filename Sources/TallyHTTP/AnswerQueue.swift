/// The answers one connection owes, kept in request order, and the output they are serialized into.
///
/// Part of `ConnectionStateMachine`: it decides when an answer is due and whether it closes the
/// connection; the queue keeps the order, the sequence numbers handlers answer by, and the bytes.
struct AnswerQueue {
    private var exchanges: [Exchange] = []
    /// Exchanges before this index are serialized already; `compact` drops them.
    private var taken = 0
    /// The sequence number of `exchanges[0]`.
    private var firstSequence = 0
    private var output: [UInt8] = []
    private var outputOffset = 0

    /// How many answers are owed and not yet dropped by `compact`.
    var count: Int { exchanges.count }

    /// How many serialized bytes the socket has not taken yet.
    var unsentByteCount: Int { output.count - outputOffset }

    /// Adds an answer owed after all others and returns its sequence number.
    mutating func owe(_ exchange: Exchange) -> Int {
        exchanges.append(exchange)
        return firstSequence + exchanges.count - 1
    }

    /// Stores a handler's response; one for a dropped or already answered request is ignored.
    mutating func answer(sequence: Int, response: HTTPResponse) {
        let index = sequence - firstSequence
        guard exchanges.indices.contains(index), exchanges[index].response == nil else { return }
        exchanges[index].response = response
    }

    /// Takes the next answer in order if it is ready to serialize.
    mutating func takeReady() -> Exchange? {
        guard taken < exchanges.count, exchanges[taken].isReady else { return nil }
        taken += 1
        return exchanges[taken - 1]
    }

    /// Drops the answers taken so far, and with `droppingRest` every one after them too.
    mutating func compact(droppingRest: Bool) {
        exchanges.removeFirst(taken)
        firstSequence += taken
        taken = 0
        if droppingRest { exchanges.removeAll() }
    }

    /// Appends an answer's bytes to the output and returns how many response body bytes it carries.
    mutating func serialize(_ exchange: Exchange, date: [UInt8], closing: Bool) -> Int {
        switch exchange.kind {
        case .interimContinue:
            output.append(contentsOf: ResponseSerializer.continueBytes)
            return 0
        case .failure(let error):
            let response = Exchange.failureResponse(error)
            ResponseSerializer.append(response, to: &output, date: date, includeBody: true, connection: .close)
            return response.body.count
        case .request(let info):
            guard let response = exchange.response else { return 0 }
            let connection: ResponseSerializer.ConnectionField = closing ? .close : info.isHTTP10 ? .keepAlive : .none
            ResponseSerializer.append(
                response, to: &output, date: date, includeBody: !info.isHead, connection: connection)
            return info.isHead ? 0 : response.body.count
        }
    }

    /// Calls `body` with the output not sent yet.
    func withUnsentOutput<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        output.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[outputOffset...])) }
    }

    /// Notes that the socket took `byteCount` more bytes.
    mutating func sent(byteCount: Int) {
        outputOffset += byteCount
    }

    /// Empties an output that was all sent, keeping its storage unless a big answer grew it.
    mutating func resetSentOutput() {
        guard !output.isEmpty, outputOffset == output.count else { return }
        // A large buffer left from a big response is dropped rather than kept per connection.
        if output.capacity > 65_536 { output = [] } else { output.removeAll(keepingCapacity: true) }
        outputOffset = 0
    }
}
