// libFuzzer entry for HTTPRequestParser: parses each input whole and again in small pieces, and
// traps if the two disagree, so both crashes and incremental-parsing bugs are found.

/// What parsing one input produced, in a comparable form.
struct ParseOutcome: Equatable {
    var requests: [String] = []
    var errorStatus: Int?
}

/// Parses the bytes fed in pieces of `pieceSize`, with small limits so the limit paths are reached.
func parseOutcome(_ bytes: UnsafeRawBufferPointer, pieceSize: Int) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: HTTPLimits(maxHeaderBytes: 512, maxBodyBytes: 256))
    var outcome = ParseOutcome()
    var start = 0
    repeat {
        let end = min(bytes.count, start + pieceSize)
        parser.append(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        start = end
        do {
            while let event = try parser.next() {
                switch event {
                case .continueExpected:
                    // Whether it comes depends on whether the body had already arrived, so it is not compared.
                    continue
                case .request(let request, let keepAlive):
                    let fields = request.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                    outcome.requests.append(
                        "\(request.method) \(request.path) \(request.query ?? "-") \(keepAlive) \(fields) \(request.body)")
                }
            }
        } catch {
            outcome.errorStatus = error.status
            return outcome
        }
    } while start < bytes.count
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = parseOutcome(bytes, pieceSize: max(1, size))
    let pieces = parseOutcome(bytes, pieceSize: 3)
    precondition(whole.requests == pieces.requests, "whole and piecewise parses disagree on requests")
    precondition(whole.errorStatus == pieces.errorStatus, "whole and piecewise parses disagree on the error")
    return 0
}
