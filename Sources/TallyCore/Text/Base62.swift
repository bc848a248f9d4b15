/// Base62 text (`0-9 A-Z a-z`) of bytes read as one big-endian number, at a fixed width.
///
/// The width depends only on the byte count (32 bytes → 43 characters), so every key of a
/// given strength has the same length and leading zero bytes are not lost.
public enum Base62 {
    public static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The text of `bytes`, padded with `0` to ``width(forByteCount:)``.
    public static func encode(_ bytes: [UInt8]) -> String {
        var number = bytes
        var digits: [UInt8] = []
        digits.reserveCapacity(width(forByteCount: bytes.count))
        while number.contains(where: { $0 != 0 }) {
            digits.append(alphabet[Int(divide(&number, by: 62))])
        }
        while digits.count < width(forByteCount: bytes.count) { digits.append(alphabet[0]) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// The fewest base62 digits that hold any number of `count` bytes: the least `w` with
    /// 62^w ≥ 256^count.
    public static func width(forByteCount count: Int) -> Int {
        // Repeated division of the largest number of `count` bytes counts its digits exactly.
        var largest = [UInt8](repeating: 0xFF, count: count)
        var width = 0
        while largest.contains(where: { $0 != 0 }) {
            _ = divide(&largest, by: 62)
            width += 1
        }
        return width
    }

    /// Whether `byte` is one of the 62 digits.
    public static func isDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"):
            true
        default: false
        }
    }

    /// Divides the big-endian number in place and returns the remainder.
    private static func divide(_ number: inout [UInt8], by divisor: Int) -> Int {
        var remainder = 0
        for index in number.indices {
            let value = remainder * 256 + Int(number[index])
            number[index] = UInt8(value / divisor)
            remainder = value % divisor
        }
        return remainder
    }
}
