// A debit's lineage (which lots paid how much, and its debt part) is read back from its entry,
// merges repeated lots, and tracks what refunds have returned.
import Testing
import TallyCore

@Suite struct DebitRecordTests {
    @Test func lineageMergesPartsOfTheSameLotInOrder() {
        let entry = LedgerEntry(
            id: 9, seq: 3, atMs: t0, kind: .capture, amount: -12, availableAfter: 0,
            postings: [
                Posting(.settle, lot: 4, 5), Posting(.unreserve, lot: 6, 1), Posting(.consume, lot: 4, 2),
                Posting(.consume, lot: 7, 3), Posting(.uncovered, -2), Posting(.debt, 2), Posting(.debt, 1),
            ],
            referenceID: 8, operation: "op", metadata: ["k": "v"])
        let record = DebitRecord(entry: entry, account: "acct_1")
        #expect(record.lotParts.map(\.lot) == [4, 7])
        #expect(record.lotParts.map(\.amount) == [7, 3])
        #expect(record.debt == 3 && record.amount == 13 && entry.debitedAmount == 13)
        #expect(record.holdID == 8 && record.operation == "op" && record.metadata == ["k": "v"])
        #expect(record.refunded == 0 && record.refundable == 13)
    }

    @Test func onlyDebitsHaveADebitedAmount() {
        let credit = LedgerEntry(
            id: 1, seq: 1, atMs: t0, kind: .credit, amount: 5, availableAfter: 5,
            postings: [Posting(.debt, -5)])
        #expect(credit.debitedAmount == 0)
        #expect(EntryKind.allCases.filter(\.isDebit) == [.debit, .capture])
    }

    @Test func refundsAreCountedAgainstTheRecord() {
        var record = DebitRecord(
            id: 3, account: "a", atMs: t0, lotParts: [(1, 10), (2, 5)], debt: 4, holdID: nil,
            operation: nil, metadata: [:])
        #expect(record.amount == 19)
        let copy = record
        record.refundedDebt = 4
        record.refundedLots[2] = 5
        #expect(record.refunded == 9 && record.refundable == 10)
        #expect(record != copy, "records differ by what was refunded")
    }
}
