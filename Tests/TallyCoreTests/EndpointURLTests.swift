// Endpoint URLs at registration: https only (http only where private addresses are allowed), no
// userinfo, a host, limits, and IP literals or localhost names the SSRF policy refuses, IPv4
// written in any form URL parsers and inet_aton read (decimal, octal, hex, 1-4 parts) included.
import Testing
import TallyCore

@Suite struct EndpointURLTests {
    let strict = AddressPolicy()
    let dev = AddressPolicy(allowPrivate: true)

    func problem(_ text: String, _ policy: AddressPolicy = AddressPolicy()) -> EndpointURLProblem? {
        if case .failure(let problem) = EndpointURL.validate(text, policy: policy) { return problem }
        return nil
    }

    @Test func goodURLsAreTakenApart() throws {
        let url = try EndpointURL.validate("HTTPS://Hooks.Example.com:8443/tally?x=1", policy: strict).get()
        #expect(url.scheme == "https" && url.host == "hooks.example.com" && url.port == 8443)
        #expect(try EndpointURL.validate("https://[2606:4700::1111]/in", policy: strict).get().host == "2606:4700::1111")
        #expect(try EndpointURL.validate("https://example.com", policy: strict).get().port == nil)
        #expect(try EndpointURL.validate("http://127.0.0.1:9000/hook", policy: dev).get().port == 9000)
    }

    @Test func eachProblemHasItsCode() {
        #expect(problem("http://example.com/") == .httpsRequired)
        #expect(problem("ftp://example.com/") == .unsupportedScheme)
        #expect(problem("example.com/hook") == .malformed)
        #expect(problem("https://user:pw@example.com/") == .userinfo)
        #expect(problem("https:///path") == .missingHost)
        #expect(problem("https://:443/") == .missingHost)
        #expect(problem("https://example.com:0/") == .invalidPort)
        #expect(problem("https://example.com:65536/") == .invalidPort)
        #expect(problem("https://example.com:/") == .invalidPort)
        #expect(problem("https://example.com/#frag") == .fragment)
        #expect(problem("https://exa mple.com/") == .invalidCharacters)
        #expect(problem("https://bücher.example/") == .invalidCharacters)
        #expect(problem("https://[::1/") == .malformed)
        #expect(problem("https://[not-ip]/") == .malformed)
        #expect(problem("https://a%2eb/") == .malformed)
        #expect(problem("https://example.com/" + String(repeating: "a", count: 2_048)) == .tooLong)
        #expect(problem("https://" + String(repeating: "a.", count: 127) + "com/") == .tooLong)
        #expect(Set(EndpointURLProblem.allCases.map(\.rawValue)).count == EndpointURLProblem.allCases.count)
    }

    @Test func refusedAddressesAndLocalNamesAreCaughtEarly() {
        for text in ["https://127.0.0.1/", "https://10.0.0.1/", "https://169.254.169.254/latest", "https://[::1]/",
            "https://[::ffff:127.0.0.1]/", "https://localhost/", "https://LOCALHOST./", "https://api.localhost:8443/"]
        {
            #expect(problem(text) == .blockedAddress, "\(text)")
            #expect(problem(text, dev) == nil, "\(text) in development")
        }
        #expect(problem("https://8.8.8.8/") == nil)
        let allowlisted = AddressPolicy(allowlist: [CIDR("10.0.0.0/8")!])
        #expect(problem("https://10.0.0.1/", allowlisted) == nil)
        #expect(problem("http://10.0.0.1/", allowlisted) == .httpsRequired, "an allowlist does not allow http")
    }

    @Test func numericHostsAreJudgedAsTheAddressTheySpell() {
        for text in ["https://2130706433/", "https://0177.0.0.1/", "https://0x7f000001/", "https://0X7F.1/", "https://127.1/",
            "https://127.0.1/", "https://127.0.0.1./", "https://017700000001/", "https://0x7f.0.0.0x1/", "https://10.1/",
            "https://0xa9.0xfe.0xa9.0xfe/latest", "https://0/", "https://0x/", "https://3232235777/", "https://0300.0250.1.1/"]
        {
            #expect(problem(text) == .blockedAddress, "\(text)")
            if !text.contains("://0/"), !text.contains("://0x/") { #expect(problem(text, dev) == nil, "\(text) in development") }
        }
        #expect(problem("https://0x0a000001/", AddressPolicy(allowlist: [CIDR("10.0.0.0/8")!])) == nil, "allowlisted however written")
        for global in ["https://134744072/", "https://8.8.2056/", "https://0x8.0x8.0x8.0x8/"] {
            #expect(problem(global) == nil, "\(global) is 8.8.8.8")
        }
        for malformed in ["https://1.2.3.4.5/", "https://256.1.1.1/", "https://08.1/", "https://1.0x100.1/", "https://4294967296/",
            "https://example.123/", "https://localhost../", "https://.localhost/", "https://a..b/"]
        {
            #expect(problem(malformed) == .malformed, "\(malformed)")
        }
        #expect(problem("https://1e3/") == nil && problem("https://0x1g/") == nil && problem("https://a.0b/") == nil,
            "a last label that is no number makes a name")
    }

    @Test func numericHostsReadLikeInetAton() {
        let cases: [(String, NumericHost)] = [
            ("2130706433", .address(IPAddress("127.0.0.1")!)), ("0177.0.0.1", .address(IPAddress("127.0.0.1")!)),
            ("192.168.257", .address(IPAddress("192.168.1.1")!)), ("1.2.3.4", .address(IPAddress("1.2.3.4")!)),
            ("0xffffffff", .address(IPAddress("255.255.255.255")!)), ("example.com", .name), ("xn--bcher-kva.example", .name),
            ("1.2.3.4.5", .invalid), ("0x100000000", .invalid), ("09", .invalid),
        ]
        for (host, reading) in cases { #expect(NumericHost(host) == reading, "\(host)") }
    }
}
