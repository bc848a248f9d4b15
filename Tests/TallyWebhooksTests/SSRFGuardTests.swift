// The SSRF guard at connect time: names and literals that resolve to loopback, private,
// link-local or IPv4-mapped loopback addresses are refused before any connect (so the test never
// waits on an unroutable host) and reported as blocked_address; http is refused outright unless
// private addresses are allowed.
import Testing
import TallyCore
import TallyWebhooks

@Suite struct SSRFGuardTests {
    let strict = DeliveryConfiguration(nowSeconds: ManualSeconds(seconds: 1_800_000_000).clock)

    @Test(arguments: [
        "https://127.0.0.1:9/", "https://localhost:9/", "https://10.0.0.1/", "https://169.254.169.254/latest/meta-data",
        "https://[::1]:9/", "https://[::ffff:127.0.0.1]:9/", "https://0.0.0.0:9/",
    ])
    func privateTargetsAreRefusedAtConnect(url: String) async {
        let client = DeliveryClient(configuration: strict)
        defer { client.shutdown() }
        let result = await client.deliver(DeliveryRequest(endpointID: "we_1", url: url, messageID: "evt_1", body: [], secrets: [testSecret]))
        #expect(result.outcome == .blockedAddress, "\(url): \(result.outcome) \(result.errorDetail ?? "")")
        // No status and no peer: the guard refused before any connection was made (a connect to
        // an unroutable address would end as a timeout or connect failure instead).
        #expect(result.httpStatus == 0 && result.remoteAddress == nil)
    }

    @Test func httpIsRefusedWithoutPrivateAddresses() async {
        let client = DeliveryClient(configuration: strict)
        defer { client.shutdown() }
        let result = await client.deliver(DeliveryRequest(endpointID: "we_1", url: "http://8.8.8.8/", messageID: "evt_1", body: [], secrets: [testSecret]))
        #expect(result.outcome == .other && result.httpStatus == 0)
    }
}
