// Which events an endpoint receives: exact types or `*`, and an optional account scope that
// also keeps account-less events (endpoint.disabled) away from scoped endpoints.
import Testing
import TallyCore

@Suite struct EndpointSubscriptionTests {
    @Test func typeListsParseToAFilter() {
        #expect(EndpointSubscription.eventTypes(from: ["*"]) == .success(nil))
        #expect(EndpointSubscription.eventTypes(from: ["balance.low", "balance.low", "credits.added"]) == .success([.balanceLow, .creditsAdded]))
        #expect(EndpointSubscription.eventTypes(from: []) == .failure(.empty))
        #expect(EndpointSubscription.eventTypes(from: ["balance.*"]) == .failure(.unknownType("balance.*")))
        #expect(EndpointSubscription.eventTypes(from: ["*", "balance.low"]) == .failure(.wildcardNotAlone))
    }

    @Test func typesAndAccountsBothFilter() {
        let everything = EndpointSubscription()
        #expect(EventType.allCases.allSatisfy { everything.wants($0, account: "acct_1") })
        #expect(everything.wants(.endpointDisabled, account: nil))
        let lowOnly = EndpointSubscription(eventTypes: [.balanceLow, .endpointDisabled])
        #expect(lowOnly.wants(.balanceLow, account: "a") && !lowOnly.wants(.balanceDepleted, account: "a"))
        let scoped = EndpointSubscription(accounts: ["cus_1"])
        #expect(scoped.wants(.creditsAdded, account: "cus_1") && !scoped.wants(.creditsAdded, account: "cus_2"))
        #expect(!scoped.wants(.endpointDisabled, account: nil))
    }
}
