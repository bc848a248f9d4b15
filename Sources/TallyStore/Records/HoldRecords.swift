import TallyCore

extension Connection {
    /// A hold with the account it belongs to; nil if absent.
    func hold(id: HoldID) throws(StoreError) -> (account: String, hold: Hold)? {
        try cached(Connection.holdColumns + " WHERE id = ?").rows([id], Connection.hold).first
    }

    /// Every hold of an account, for `tally verify`.
    func holds(account: String) throws(StoreError) -> [Hold] {
        try cached(Connection.holdColumns + " WHERE account_id = ?").rows([account], Connection.hold).map(\.hold)
    }

    static let holdColumns = """
        SELECT id, account_id, amount, reservations, uncovered, status, created_at_ms, expires_at_ms,
            captured_amount, debit_id, settled_at_ms, operation, metadata, quantity FROM holds
        """

    static func hold(_ row: Statement) throws(StoreError) -> (account: String, hold: Hold) {
        guard let status = HoldStatus(rawValue: row.text(5)) else { throw .corrupt("hold status") }
        let hold = Hold(
                id: row.int(0), amount: row.int(2),
                reservations: try LotAmountsCoding.decode(row.text(3)), uncovered: row.int(4),
                status: status, createdAtMs: row.int(6), expiresAtMs: row.int(7),
                capturedAmount: row.optionalInt(8), debitID: row.optionalInt(9),
                settledAtMs: row.optionalInt(10), operation: row.optionalText(11),
                metadata: try MetadataCoding.decode(row.text(12)), quantity: row.optionalInt(13))
        return (row.text(1), hold)
    }
}
