/// The SSRF guard's rule: which addresses webhook deliveries may connect to.
///
/// Only globally routable addresses are allowed by default. `allowPrivate` (local development)
/// also lets loopback, private, link-local and shared (CGNAT) addresses through; an allowlist
/// lets chosen ranges through whatever their kind. Unspecified, broadcast, multicast,
/// documentation and reserved addresses are never useful targets and stay refused unless
/// allowlisted.
public struct AddressPolicy: Sendable, Hashable {
    public let allowPrivate: Bool
    public let allowlist: [CIDR]

    /// A policy.
    public init(allowPrivate: Bool = false, allowlist: [CIDR] = []) {
        self.allowPrivate = allowPrivate
        self.allowlist = allowlist
    }

    /// Whether a delivery may connect to `address`.
    public func permits(_ address: IPAddress) -> Bool {
        let candidates = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        if candidates.contains(where: { candidate in allowlist.contains { $0.contains(candidate) } }) { return true }
        switch AddressClass(of: address) {
        case .global: return true
        case .loopback, .privateNetwork, .linkLocal, .sharedAddressSpace: return allowPrivate
        case .unspecified, .broadcast, .multicast, .documentation, .reserved: return false
        }
    }
}

/// What kind of address an IP address is, for the SSRF guard.
public enum AddressClass: String, Sendable, Hashable, CaseIterable {
    case global
    case loopback
    /// 10/8, 172.16/12, 192.168/16, fc00::/7 (and the deprecated site-local fec0::/10).
    case privateNetwork = "private"
    /// 169.254/16 (cloud metadata lives here), fe80::/10.
    case linkLocal = "link_local"
    /// 100.64/10, carrier-grade NAT.
    case sharedAddressSpace = "shared"
    case multicast
    /// 0.0.0.0/8 and `::`, which Linux connects to the local host.
    case unspecified
    case broadcast
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    case documentation
    /// Ranges set aside for protocols, benchmarks and future use.
    case reserved

    /// The class of `address`; an IPv6 address that embeds an IPv4 one for translation
    /// (mapped, NAT64, 6to4) is judged by the IPv4 inside.
    public init(of address: IPAddress) {
        if let inner = address.embeddedIPv4 {
            self.init(of: inner)
            return
        }
        let table = address.isIPv4 ? Self.ipv4Ranges : Self.ipv6Ranges
        self = table.first { $0.range.contains(address) }?.kind ?? .global
    }

    // First match wins, so narrower ranges come before the wider ones around them.
    private static let ipv4Ranges = ranges([
        "0.0.0.0/8": .unspecified, "10.0.0.0/8": .privateNetwork, "100.64.0.0/10": .sharedAddressSpace,
        "127.0.0.0/8": .loopback, "169.254.0.0/16": .linkLocal, "172.16.0.0/12": .privateNetwork,
        "192.0.0.0/24": .reserved, "192.0.2.0/24": .documentation, "192.88.99.0/24": .reserved,
        "192.168.0.0/16": .privateNetwork, "198.18.0.0/15": .reserved, "198.51.100.0/24": .documentation,
        "203.0.113.0/24": .documentation, "224.0.0.0/4": .multicast, "255.255.255.255/32": .broadcast,
        "240.0.0.0/4": .reserved,
    ])

    private static let ipv6Ranges = ranges([
        "::/128": .unspecified, "::1/128": .loopback, "::/96": .reserved, "64:ff9b:1::/48": .privateNetwork,
        "100::/64": .reserved, "2001:db8::/32": .documentation, "2001::/32": .reserved,
        "3fff::/20": .documentation, "5f00::/16": .reserved, "fc00::/7": .privateNetwork,
        "fe80::/10": .linkLocal, "fec0::/10": .privateNetwork, "ff00::/8": .multicast,
    ])

    private static func ranges(_ list: KeyValuePairs<String, AddressClass>) -> [(range: CIDR, kind: AddressClass)] {
        list.map { (CIDR($0.key)!, $0.value) }
    }
}
