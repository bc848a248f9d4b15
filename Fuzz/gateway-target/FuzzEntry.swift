// libFuzzer entry for RequestTarget, the gateway's reader of X-Original-URI: every input is
// either refused or read into segments that obey the documented rules (no empty or dot segment,
// no `/` inside one, at most `maxSegments`), and a target rebuilt from them by percent-encoding
// reads back to the same segments, so a priced path always means exactly one upstream path.

/// Percent-encodes everything but unreserved characters, as a client would before sending.
func encoded(_ segment: String) -> String {
    var out = ""
    for byte in segment.utf8 {
        let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        if unreserved {
            out.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            let digits = Array("0123456789ABCDEF".utf8)
            out += "%" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let target = try? RequestTarget(parsing: text) else { return 0 }
    precondition(target.segments.count <= RequestTarget.maxSegments, "too many segments accepted")
    for segment in target.segments {
        precondition(!segment.isEmpty && segment != "." && segment != "..", "an empty or dot segment was accepted")
        precondition(!segment.contains("/"), "a segment holds a slash")
    }
    let rebuilt = "/" + target.segments.map(encoded).joined(separator: "/")
    guard rebuilt.utf8.count <= RequestTarget.maxLength else { return 0 }
    let again: RequestTarget
    do {
        again = try RequestTarget(parsing: rebuilt)
    } catch {
        preconditionFailure("segments read from a target do not read back: \(error)")
    }
    precondition(again.segments == target.segments, "a rebuilt target reads differently")
    return 0
}
