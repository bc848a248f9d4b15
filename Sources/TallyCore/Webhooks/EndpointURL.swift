/// A webhook endpoint's URL, checked when it is registered.
///
/// This check gives good error messages and refuses every IP literal and `localhost` name the
/// policy would refuse; the real SSRF guard runs at connect time on the addresses a name resolves
/// to, which also covers other names pointing at private addresses (in DNS or `/etc/hosts`) and
/// DNS answers that change.
public struct EndpointURL: Sendable, Hashable {
    public static let maxLength = Int(Limits.endpointURLCharacters.upperBound)
    public static let maxHostLength = 253

    /// The URL as given.
    public let text: String
    /// `https`, or `http` where private addresses are allowed.
    public let scheme: String
    /// The host without brackets, lowercased.
    public let host: String
    public let port: Int?

    /// Checks `text` against `policy`: `https` only unless private addresses are allowed (local
    /// development), no user or password, a host, no fragment, and no IP literal or `localhost`
    /// name the policy would refuse.
    public static func validate(_ text: String, policy: AddressPolicy) -> Result<EndpointURL, EndpointURLProblem> {
        guard text.utf8.count <= maxLength else { return .failure(.tooLong) }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return .failure(.invalidCharacters) }
        guard let schemeEnd = text.firstRange(of: "://") else { return .failure(.malformed) }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return .failure(.unsupportedScheme) }
        guard scheme == "https" || policy.allowPrivate else { return .failure(.httpsRequired) }
        let rest = text[schemeEnd.upperBound...]
        guard !rest.contains("#") else { return .failure(.fragment) }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard !authority.contains("@") else { return .failure(.userinfo) }
        return parseAuthority(authority).flatMap { host, port in
            if let problem = refusal(host: host, policy: policy) { return .failure(problem) }
            return .success(EndpointURL(text: text, scheme: scheme, host: host, port: port))
        }
    }

    /// Splits `host[:port]` or `[v6][:port]`.
    private static func parseAuthority(_ authority: Substring) -> Result<(String, Int?), EndpointURLProblem> {
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.malformed) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return .failure(.malformed) }
            if !after.isEmpty { portText = after.dropFirst() }
            guard IPAddress(host) != nil else { return .failure(.malformed) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(.missingHost) }
        guard host.utf8.count <= maxHostLength else { return .failure(.tooLong) }
        guard authority.hasPrefix("[") || host.utf8.allSatisfy(isNameByte) else { return .failure(.malformed) }
        guard let portText else { return .success((host.lowercased(), nil)) }
        guard (1...5).contains(portText.utf8.count), portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let port = Int(portText), (1...65_535).contains(port)
        else { return .failure(.invalidPort) }
        return .success((host.lowercased(), port))
    }

    /// Letters, digits, `-`, `.` and `_`: a DNS name (international names in their `xn--` form)
    /// or an IPv4 literal.
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    /// Why the policy refuses `host` already at registration: an IP address however it is written
    /// (IPv6, or IPv4 in any form a URL parser reads, such as `127.1` or `0x7f000001`), or a
    /// `localhost` name (RFC 6761 reserves `localhost` and `*.localhost` for loopback). Other names
    /// are judged at connect time, on the addresses they resolve to.
    private static func refusal(host: String, policy: AddressPolicy) -> EndpointURLProblem? {
        if let address = IPAddress(host) { return policy.permits(address) ? nil : .blockedAddress }
        switch NumericHost(host) {
        case .address(let address): return policy.permits(address) ? nil : .blockedAddress
        case .invalid: return .malformed
        case .name: break
        }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        // An empty label (`localhost..`, `.example.com`) is no DNS name, and would dodge the check below.
        guard !name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            return .malformed
        }
        if !policy.allowPrivate, name == "localhost" || name.hasSuffix(".localhost") { return .blockedAddress }
        return nil
    }
}

/// Why a URL cannot be an endpoint, as the code the API answers with.
public enum EndpointURLProblem: String, Sendable, Hashable, Error, CaseIterable {
    case tooLong = "url_too_long"
    case invalidCharacters = "url_invalid_characters"
    case malformed = "url_malformed"
    case unsupportedScheme = "url_unsupported_scheme"
    case httpsRequired = "url_https_required"
    case userinfo = "url_userinfo_not_allowed"
    case missingHost = "url_missing_host"
    case invalidPort = "url_invalid_port"
    case fragment = "url_fragment_not_allowed"
    case blockedAddress = "url_blocked_address"
}
