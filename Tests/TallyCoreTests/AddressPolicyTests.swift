// The SSRF rule on resolved addresses: IPv4 and IPv6 parsing, every refused range, IPv4 inside
// IPv6 (mapped, NAT64, 6to4) judged by the IPv4, and what allow-private and an allowlist open.
import Testing
import TallyCore

@Suite struct AddressPolicyTests {
    func kind(_ text: String) -> AddressClass? { IPAddress(text).map { AddressClass(of: $0) } }

    @Test func addressesParseStrictly() {
        #expect(IPAddress("192.168.1.20")?.bytes == [192, 168, 1, 20])
        #expect(IPAddress("::1")?.bytes == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddress("::ffff:127.0.0.1")?.bytes == [UInt8](repeating: 0, count: 10) + [255, 255, 127, 0, 0, 1])
        #expect(IPAddress("2001:DB8:0:0:0:0:0:1") == IPAddress("2001:db8::1"))
        #expect(IPAddress("fe80::")?.description == "fe80:0:0:0:0:0:0:0")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1::2::3", ":::", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7", "12345::", "+1::", "::1%eth0", "[::1]", "g::1", "::1.2.3", "1:2:3:4:5:6:7::8:9"]
        {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func everyRefusedIPv4RangeIsRecognised() {
        let expected: [String: AddressClass] = [
            "127.0.0.1": .loopback, "127.255.255.254": .loopback, "10.0.0.1": .privateNetwork,
            "172.16.0.1": .privateNetwork, "172.31.255.255": .privateNetwork, "172.32.0.1": .global,
            "192.168.0.1": .privateNetwork, "169.254.169.254": .linkLocal, "100.64.0.1": .sharedAddressSpace,
            "100.127.255.255": .sharedAddressSpace, "100.128.0.1": .global, "224.0.0.1": .multicast,
            "239.255.255.250": .multicast, "0.0.0.0": .unspecified, "0.1.2.3": .unspecified,
            "255.255.255.255": .broadcast, "240.0.0.1": .reserved, "192.0.2.10": .documentation,
            "198.51.100.7": .documentation, "203.0.113.9": .documentation, "198.18.0.1": .reserved,
            "192.0.0.8": .reserved, "8.8.8.8": .global, "93.184.216.34": .global,
        ]
        for (text, kind) in expected { #expect(self.kind(text) == kind, "\(text)") }
    }

    @Test func everyRefusedIPv6RangeIsRecognised() {
        let expected: [String: AddressClass] = [
            "::": .unspecified, "::1": .loopback, "fc00::1": .privateNetwork, "fd12:3456::1": .privateNetwork,
            "fe80::1": .linkLocal, "febf::1": .linkLocal, "fec0::1": .privateNetwork, "ff02::1": .multicast,
            "2001:db8::1": .documentation, "3fff::1": .documentation, "::7f00:1": .reserved, "100::1": .reserved,
            "2001::1": .reserved, "64:ff9b:1::1": .privateNetwork, "2606:4700::1111": .global, "2a00:1450::1": .global,
        ]
        for (text, kind) in expected { #expect(self.kind(text) == kind, "\(text)") }
    }

    @Test func anIPv4InsideIPv6IsJudgedByTheIPv4() {
        #expect(kind("::ffff:127.0.0.1") == .loopback)
        #expect(kind("::ffff:7f00:1") == .loopback)
        #expect(kind("::ffff:169.254.169.254") == .linkLocal)
        #expect(kind("::ffff:8.8.8.8") == .global)
        #expect(kind("64:ff9b::10.0.0.1") == .privateNetwork, "NAT64")
        #expect(kind("64:ff9b::8.8.8.8") == .global)
        #expect(kind("2002:7f00:1::1") == .loopback, "6to4")
        #expect(kind("2002:0808:0808::1") == .global)
    }

    @Test func thePolicyRefusesAllButGlobalByDefault() {
        let strict = AddressPolicy()
        for text in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "fd00::1", "100.64.1.1", "0.0.0.0"] {
            #expect(!strict.permits(IPAddress(text)!), "\(text)")
        }
        #expect(strict.permits(IPAddress("8.8.8.8")!) && strict.permits(IPAddress("2606:4700::1111")!))
    }

    @Test func allowPrivateOpensLocalNetworksButNotNonsense() {
        let dev = AddressPolicy(allowPrivate: true)
        for text in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "fd00::1", "100.64.1.1"] {
            #expect(dev.permits(IPAddress(text)!), "\(text)")
        }
        for text in ["0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "ff02::1", "192.0.2.1"] {
            #expect(!dev.permits(IPAddress(text)!), "\(text)")
        }
    }

    @Test func anAllowlistOpensOnlyItsRanges() {
        let policy = AddressPolicy(allowlist: [CIDR("10.20.0.0/16")!, CIDR("fd00:1::/32")!, CIDR("127.0.0.1")!])
        #expect(policy.permits(IPAddress("10.20.3.4")!))
        #expect(!policy.permits(IPAddress("10.21.0.1")!))
        #expect(policy.permits(IPAddress("fd00:1:2::3")!))
        #expect(!policy.permits(IPAddress("fd00:2::3")!))
        #expect(policy.permits(IPAddress("127.0.0.1")!) && !policy.permits(IPAddress("127.0.0.2")!))
        #expect(policy.permits(IPAddress("::ffff:10.20.0.9")!), "a mapped address is matched by its IPv4")
    }

    @Test func rangesParseAndClearHostBits() {
        #expect(CIDR("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(CIDR("fd00::1/7")?.description == "fc00:0:0:0:0:0:0:0/7")
        #expect(CIDR("1.2.3.4")?.prefixLength == 32 && CIDR("::1")?.prefixLength == 128)
        #expect(CIDR("0.0.0.0/0")?.contains(IPAddress("9.9.9.9")!) == true)
        #expect(CIDR("0.0.0.0/0")?.contains(IPAddress("::1")!) == false, "families never mix")
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "/8", "10.0.0.0/+8"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }
}
