/// An address range written `address/prefix-length` (`10.0.0.0/8`, `fd00::/8`); a bare address
/// is a range of one.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range (host bits cleared).
    public let network: IPAddress
    public let prefixLength: Int

    /// The range of `address` with `prefixLength` leading bits; nil when the length does not fit
    /// the family.
    public init?(_ address: IPAddress, prefixLength: Int) {
        guard (0...address.bytes.count * 8).contains(prefixLength) else { return nil }
        self.network = IPAddress(bytes: Self.masked(address.bytes, prefixLength))!
        self.prefixLength = prefixLength
    }

    /// Parses `address[/length]`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        guard parts.count == 2 else {
            self.init(address, prefixLength: bits)
            return
        }
        guard (1...3).contains(parts[1].utf8.count), parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let length = Int(parts[1])
        else { return nil }
        self.init(address, prefixLength: length)
    }

    /// Whether `address` (of the same family) lies in the range.
    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == network.bytes.count && Self.masked(address.bytes, prefixLength) == network.bytes
    }

    public var description: String { "\(network)/\(prefixLength)" }

    private static func masked(_ bytes: [UInt8], _ prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = min(8, max(0, prefixLength - index * 8))
            return keep == 8 ? byte : byte & ~(0xFF >> UInt8(keep))
        }
    }
}
