/// Byte-level character classes from RFC 9110 used by the parser and serializer.
enum ASCII {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9
    static let colon: UInt8 = 58
    static let semicolon: UInt8 = 59
    static let slash: UInt8 = 47
    static let question: UInt8 = 63
    static let asterisk: UInt8 = 42

    /// Lowercases an ASCII letter and leaves every other byte unchanged.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 65 < 26 ? byte | 0x20 : byte
    }

    /// Whether the byte is a `tchar`, allowed in methods and header names.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        tokenTable[Int(byte)]
    }

    /// Whether the byte may appear in a header value: visible, space, tab or obs-text.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == tab
    }

    /// Whether the byte may appear in a request target: visible ASCII or obs-text, no space.
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte != 0x7F
    }

    /// The value of a hexadecimal digit, or nil for any other byte.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: Int(byte - 48)
        case 65...70: Int(byte - 55)
        case 97...102: Int(byte - 87)
        default: nil
        }
    }

    private static let tokenTable: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        switch byte {
        case 48...57, 65...90, 97...122: return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension ASCII {
    /// Whether the bytes spell the lowercase ASCII text, ignoring the case of the bytes.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseText: StaticString) -> Bool {
        guard bytes.count == lowercaseText.utf8CodeUnitCount else { return false }
        let text = lowercaseText.utf8Start
        for index in 0..<bytes.count where lowercased(bytes[index]) != text[index] {
            return false
        }
        return true
    }

    /// The bytes without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end && (bytes[start] == space || bytes[start] == tab) { start += 1 }
        while end > start && (bytes[end - 1] == space || bytes[end - 1] == tab) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}
