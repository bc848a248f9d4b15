// libFuzzer entry for JSONParser and JSONWriter: every input either is refused or parses to a
// value that the writer serializes to bytes which parse back to the same value and serialize to
// the same bytes again, so both crashes and lossy round trips (numbers, escapes, member order)
// are found.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let written = JSONWriter.bytes(value)
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(written)
    } catch {
        preconditionFailure("the writer's output does not parse: \(error.reason) at \(error.offset)")
    }
    precondition(reparsed == value, "a round trip changed the value")
    precondition(JSONWriter.bytes(reparsed) == written, "writing is not stable")
    return 0
}
