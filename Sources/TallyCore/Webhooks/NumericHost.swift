/// How URL parsers read a host whose last label is a number: as an IPv4 address.
///
/// WHATWG URL parsers, curl and `inet_aton` (behind `getaddrinfo`) all take 1–4 dot-separated
/// parts, each decimal, octal (a leading `0`) or hex (`0x`), the last part filling the bytes the
/// others left: `2130706433`, `0177.0.0.1`, `0x7f000001` and `127.1` are all 127.0.0.1. A host
/// read here as an address is judged as that address, however it was written.
public enum NumericHost: Sendable, Hashable {
    /// A name: its last label is not a number, so it goes to DNS (or the hosts file).
    case name
    /// The IPv4 address the host spells.
    case address(IPAddress)
    /// It ends in a number but spells no IPv4 address (`1.2.3.4.5`, `256.1.1.1`, `08.1`); URL
    /// parsers refuse such a host.
    case invalid

    /// Reads `host` (lowercase, without brackets) the WHATWG way; one trailing dot is ignored.
    public init(_ host: String) {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        guard let last = parts.last, Self.endsInNumber(last) else {
            self = .name
            return
        }
        guard parts.count <= 4 else {
            self = .invalid
            return
        }
        self = Self.address(parts.map(Self.number)).map(Self.address) ?? .invalid
    }

    /// Whether the last label makes the host a number: all decimal digits, or a valid number in
    /// any of the three bases (`0x1f`, `0x`).
    private static func endsInNumber(_ label: Substring) -> Bool {
        (!label.isEmpty && label.utf8.allSatisfy { (0x30...0x39).contains($0) }) || number(label) != nil
    }

    /// The value of one part, nil when it is not a number in its base; values past 2^32 are nil
    /// too, since no part that large spells an address.
    private static func number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix: UInt64 = 10
        if part.hasPrefix("0x") || part.hasPrefix("0X") {
            digits = part.dropFirst(2)
            radix = 16
        } else if part.count > 1, part.hasPrefix("0") {
            digits = part.dropFirst()
            radix = 8
        }
        var value: UInt64 = 0
        for character in digits {
            guard let digit = character.hexDigitValue, UInt64(digit) < radix else { return nil }
            value = value * radix + UInt64(digit)
            guard value <= 1 << 32 else { return nil }
        }
        return value
    }

    /// The address of 1–4 part values: every part but the last is one byte, and the last fills
    /// the remaining bytes.
    private static func address(_ numbers: [UInt64?]) -> IPAddress? {
        let values = numbers.compactMap { $0 }
        guard values.count == numbers.count, let last = values.last,
            values.dropLast().allSatisfy({ $0 <= 255 }), last < 1 << (8 * (5 - values.count))
        else { return nil }
        var whole = last
        for (index, value) in values.dropLast().enumerated() { whole += value << (8 * (3 - index)) }
        return IPAddress(bytes: (0..<4).map { UInt8(truncatingIfNeeded: whole >> (8 * (3 - $0))) })
    }
}
