/// Opaque list cursors: the position after which the next page starts, tagged with the list it
/// belongs to and base64url-encoded so clients treat it as a token.
enum Cursor {
    /// The cursor for a position in the list named `list`.
    static func encode(list: String, position: String) -> String {
        base64URL(Array((list + ":" + position).utf8))
    }

    /// The position a cursor names, or nil when it is malformed or from another list.
    static func decode(_ cursor: String, list: String) -> String? {
        guard let bytes = decodeBase64URL(cursor), let text = String(validating: bytes, as: UTF8.self),
            text.hasPrefix(list + ":")
        else { return nil }
        return String(text.dropFirst(list.count + 1))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { out.append(alphabet[Int((value >> (18 - 6 * position)) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var value: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            guard let digit = alphabet.firstIndex(of: byte) else { return nil }
            value = value << 6 | UInt32(digit)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((value >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
