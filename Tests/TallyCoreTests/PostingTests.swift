// Postings survive the compact text encoding unchanged, and malformed text decodes to nil.
import Testing
import TallyCore

@Suite struct PostingTests {
    @Test func everyKindRoundTrips() {
        let postings = Posting.Kind.allCases.enumerated().map { index, kind in
            Posting(kind, lot: Int64(index + 1), Int64(index * 1_000 + 7))
        }
        let text = Posting.encode(postings)
        #expect(Posting.decode(text) == postings)
    }

    @Test func signedAndExtremeAmountsRoundTrip() {
        let postings = [
            Posting(.debt, -25), Posting(.uncovered, -1), Posting(.debt, Limits.amount.upperBound),
            Posting(.open, lot: .max, .max), Posting(.consume, lot: 1, 1),
        ]
        #expect(Posting.encode(postings) == "d:0:-25,h:0:-1,d:0:1000000000000000,o:9223372036854775807:9223372036854775807,c:1:1")
        #expect(Posting.decode(Posting.encode(postings)) == postings)
    }

    @Test func theEncodingIsCompactAndStable() {
        #expect(Posting.encode([]) == "")
        #expect(Posting.decode("") == [])
        #expect(Posting.encode([Posting(.unconsumeExpired, lot: 12, 5), Posting(.expireReserved, lot: 3, 4)]) == "fx:12:5,rx:3:4")
    }

    @Test func entriesProducedByTheRulesRoundTrip() throws {
        var ledger = Ledger(overdraft: 30)
        try ledger.credit(10, expiresAt: t0 + 100, at: t0)
        let holdID = try ledger.hold(25, expiresAt: t0 + 500, at: t0).referenceID!
        let capture = ledger.record(of: try ledger.capture(holdID, 30, at: t0 + 1))
        _ = try ledger.refund(capture, 12, at: t0 + 200)
        try ledger.credit(40, at: t0 + 300)
        for entry in ledger.entries {
            #expect(Posting.decode(Posting.encode(entry.postings)) == entry.postings)
        }
    }

    @Test(arguments: [
        ",", "c:1:2,", ",c:1:2", "c:1:2,,c:1:2", "c", "c:1", "c:1:2:3", "q:1:2", "C:1:2",
        " c:1:2", "c: 1:2", "c:1:2 ", "c:x:2", "c:1:x", "c:1:", "c::2", ":1:2", "c:1.5:2",
        "c:1:99999999999999999999", "c:99999999999999999999:1", "c;1;2", "c:1:2;c:1:2",
    ])
    func malformedTextDecodesToNil(text: String) {
        #expect(Posting.decode(text) == nil)
    }
}
