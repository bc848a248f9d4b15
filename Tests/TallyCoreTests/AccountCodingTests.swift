// Proves an account's JSON form (kept in stored idempotent answers) keeps its mode across a
// round trip, and that one stored before test mode existed, with no `livemode`, reads as live.
import Foundation
import TallyCore
import Testing

@Suite struct AccountCodingTests {
    @Test func theModeSurvivesARoundTripAndOldAccountsReadAsLive() throws {
        let test = Account(id: "sandbox", livemode: false, overdraftLimit: 5, metadata: ["k": "v"], createdAtMs: 1)
        let decoded = try JSONDecoder().decode(Account.self, from: JSONEncoder().encode(test))
        #expect(decoded == test && !decoded.livemode)

        let beforeTestMode = #"""
            {"id":"old","status":"active","overdraftLimit":0,"metadata":{},"thresholds":[100],"createdAtMs":1,"updatedAtMs":2}
            """#
        let old = try JSONDecoder().decode(Account.self, from: Data(beforeTestMode.utf8))
        #expect(old.livemode && old.id == "old" && old.thresholds == [100] && old.updatedAtMs == 2)
    }

    @Test func aKeyActsOnlyForAnAccountOfItsMode() throws {
        let live = Account(id: "l", createdAtMs: 0)
        let test = Account(id: "t", livemode: false, createdAtMs: 0)
        try live.checkKeyMode(.live)
        try test.checkKeyMode(.test)
        #expect(throws: Rejection.keyModeMismatch(accountLivemode: true)) { try live.checkKeyMode(.test) }
        #expect(throws: Rejection.keyModeMismatch(accountLivemode: false)) { try test.checkKeyMode(.live) }
    }
}
