// Fingerprints are injective: different field lists (and metadata maps) never give the same
// text, whatever control characters the fields contain; equal maps give equal text.
import Testing
import TallyCore

@Suite struct FingerprintTests {
    @Test func equalRequestsGiveEqualText() {
        #expect(Fingerprint.make(["debit", "5", "search"]) == Fingerprint.make(["debit", "5", "search"]))
        #expect(Fingerprint.field(["b": "2", "a": "1"]) == Fingerprint.field(["a": "1", "b": "2"]))
    }

    @Test func differentSplitsOfTheSameCharactersDiffer() {
        let pairs: [([String], [String])] = [
            (["ab", "c"], ["a", "bc"]),
            (["a\u{1E}b"], ["a", "b"]),
            (["a\u{1F}", "b"], ["a", "\u{1F}b"]),
            (["a\u{1F}\u{1E}b"], ["a\u{1F}", "b"]),
            (["a\u{1F}\u{1E}b"], ["a", "b"]),
            (["\u{1E}", ""], ["", "\u{1E}"]),
            (["", ""], [""]),
        ]
        for (lhs, rhs) in pairs {
            #expect(Fingerprint.make(lhs) != Fingerprint.make(rhs), "\(lhs) vs \(rhs)")
        }
    }

    @Test func metadataValuesCannotForgeOtherKeys() {
        let forged = Fingerprint.field(["a": "b\u{1E}c\u{1E}d"])
        let real = Fingerprint.field(["a": "b", "c": "d"])
        #expect(forged != real)
        // Nested inside a request's fields too.
        #expect(Fingerprint.make(["x", forged]) != Fingerprint.make(["x", real]))
        #expect(Fingerprint.make(["x", Fingerprint.field(["a": "b"])]) != Fingerprint.make(["x", "a", "b"]))
    }

    @Test func plainFieldsAreKeptReadable() {
        #expect(Fingerprint.make(["debit", "5"]).contains("debit"))
        #expect(Fingerprint.make(["only"]) == "only")
        #expect(Fingerprint.field([:]) == "")
    }
}

extension FingerprintTests {
    @Test func noTwoShortListsCollide() {
        // Every list of 1–3 fields over {a, U+1E, U+1F} of up to 3 characters each.
        var fields = [""]
        var frontier = [""]
        for _ in 1...3 {
            frontier = frontier.flatMap { prefix in ["a", "\u{1E}", "\u{1F}"].map { prefix + $0 } }
            fields += frontier
        }
        var lists = fields.map { [$0] }
        var seen = Set(lists.map(Fingerprint.make))
        var count = lists.count
        for _ in 2...3 {
            lists = lists.flatMap { list in fields.map { list + [$0] } }
            count += lists.count
            seen.formUnion(lists.map(Fingerprint.make))
        }
        #expect(seen.count == count)
    }
}
