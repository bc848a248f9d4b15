// `problem(applying:)` passes every entry the rules write and reports a damaged entry (wrong
// seq, bad amounts, unknown lots, overdrawn lots, holds or debt) instead of letting replay trap.
import Testing
import TallyCore

@Suite struct ReplayTests {
    /// Lot 1 of 10 credits: 9 reserved by hold 2, 1 consumed by debit 3; no debt.
    func sample() throws -> Ledger {
        var ledger = Ledger(overdraft: 20)
        try ledger.credit(10, at: t0)
        try ledger.hold(9, expiresAt: t0 + 100, at: t0)
        try ledger.debit(1, at: t0)
        return ledger
    }

    func entry(
        _ kind: EntryKind, _ postings: [Posting], seq: Int64, reference: Int64? = nil,
        openedLot: Lot? = nil
    ) -> LedgerEntry {
        LedgerEntry(
            id: 99, seq: seq, atMs: t0, kind: kind, amount: 0, availableAfter: 0,
            postings: postings, referenceID: reference, openedLot: openedLot)
    }

    @Test func everyRuleEntryPasses() throws {
        // The harness asks `problem(applying:)` before applying every entry; this drives all kinds.
        var ledger = Ledger(overdraft: 30)
        let lot = try ledger.credit(10, expiresAt: t0 + 100, at: t0).referenceID!
        let holdID = try ledger.hold(25, expiresAt: t0 + 500, at: t0).referenceID!
        let capture = ledger.record(of: try ledger.capture(holdID, 30, at: t0 + 1))
        _ = try ledger.refund(capture, 12, at: t0 + 200)
        try ledger.credit(40, at: t0 + 300)
        try ledger.debit(3, at: t0 + 300)
        try ledger.credit(6, expiresAt: t0 + 400, at: t0 + 300)
        let second = try ledger.hold(5, expiresAt: t0 + 400, at: t0 + 300).referenceID!
        #expect(ledger.expire(at: t0 + 400).map(\.kind) == [.release, .expire])
        #expect(ledger.state.holds[second] == nil && ledger.lot(lot) != nil)
        #expect(Set(ledger.entries.map(\.kind)) == Set(EntryKind.allCases))
    }

    @Test func damagedEntriesAreReported() throws {
        let ledger = try sample()
        let state = ledger.state
        let next = state.lastSeq + 1
        let holdID = try #require(state.holds.keys.first)
        let cases: [(String, LedgerEntry)] = [
            ("seq gap", entry(.debit, [Posting(.consume, lot: 1, 1)], seq: next + 1)),
            ("seq repeat", entry(.debit, [Posting(.consume, lot: 1, 1)], seq: next - 1)),
            ("zero amount", entry(.debit, [Posting(.consume, lot: 1, 0)], seq: next)),
            ("negative amount", entry(.debit, [Posting(.consume, lot: 1, -1)], seq: next)),
            ("unknown lot", entry(.debit, [Posting(.consume, lot: 77, 1)], seq: next)),
            ("overdrawn remaining", entry(.debit, [Posting(.consume, lot: 1, 1), Posting(.consume, lot: 1, 1)], seq: next)),
            ("overdrawn reserved", entry(.release, [Posting(.unreserve, lot: 1, 10)], seq: next, reference: holdID)),
            ("overdrawn consumed", entry(.refund, [Posting(.unconsume, lot: 1, 2)], seq: next)),
            ("debt below zero", entry(.credit, [Posting(.debt, -1)], seq: next)),
            ("open without its lot", entry(.credit, [Posting(.open, lot: 50, 5)], seq: next)),
            ("uncovered below zero", entry(.release, [Posting(.uncovered, -1)], seq: next, reference: holdID)),
            ("hold released twice", entry(.release, [Posting(.unreserve, lot: 1, 9), Posting(.unreserve, lot: 1, 1)], seq: next, reference: holdID)),
            ("settlement leaves part held", entry(.release, [Posting(.unreserve, lot: 1, 4)], seq: next, reference: holdID)),
        ]
        for (name, damaged) in cases {
            #expect(state.problem(applying: damaged) != nil, "\(name) was not reported")
        }
    }

    @Test func aSoundHandWrittenEntryPasses() throws {
        let ledger = try sample()
        let state = ledger.state
        let holdID = try #require(state.holds.keys.first)
        let lot = Lot(id: 50, source: .grant, amount: 5, priority: 5, expiresAtMs: nil, createdAtMs: t0, reference: nil)
        #expect(state.problem(applying: entry(.credit, [Posting(.open, lot: 50, 5)], seq: state.lastSeq + 1, openedLot: lot)) == nil)
        #expect(state.problem(applying: entry(.release, [Posting(.unreserve, lot: 1, 9)], seq: state.lastSeq + 1, reference: holdID)) == nil)
    }
}

extension ReplayTests {
    @Test func oneHoldCannotReleaseAnotherHoldsUncoveredPart() throws {
        var ledger = Ledger(overdraft: 20)
        let uncoveredHold = try ledger.hold(5, expiresAt: t0 + 100, at: t0).referenceID!
        try ledger.credit(10, at: t0)
        let coveredHold = try ledger.hold(3, expiresAt: t0 + 100, at: t0).referenceID!
        let state = ledger.state
        #expect(state.holds[uncoveredHold]?.uncovered == 5 && state.uncovered == 5)
        let damaged = entry(
            .release, [Posting(.uncovered, -5), Posting(.unreserve, lot: 2, 3)], seq: state.lastSeq + 1,
            reference: coveredHold)
        #expect(state.problem(applying: damaged) != nil)
        let sound = entry(.release, [Posting(.uncovered, -5)], seq: state.lastSeq + 1, reference: uncoveredHold)
        #expect(state.problem(applying: sound) == nil)
    }
}
