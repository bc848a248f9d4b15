extension Connection {
    /// Accounts with a pending hold whose expiry is at or before `nowMs`.
    func accountsWithExpiredHolds(atMs nowMs: Int64, limit: Int) throws(StoreError) -> [String] {
        try cached(
            """
            SELECT DISTINCT account_id FROM holds
            WHERE status = 'pending' AND expires_at_ms <= ? LIMIT ?
            """
        ).rows([nowMs, limit]) { $0.text(0) }
    }

    /// Accounts with a lot that expired in (`afterMs`, `throughMs`] with credits still remaining.
    func accountsWithExpiredLots(afterMs: Int64, throughMs: Int64, limit: Int) throws(StoreError) -> [String] {
        try cached(
            """
            SELECT DISTINCT account_id FROM lots
            WHERE expires_at_ms IS NOT NULL AND expires_at_ms > ? AND expires_at_ms <= ? AND remaining > 0
            LIMIT ?
            """
        ).rows([afterMs, throughMs, limit]) { $0.text(0) }
    }

    /// Accounts on a plan whose running period ended at or before `nowMs`.
    func accountsWithPeriodStartDue(atMs nowMs: Int64, limit: Int) throws(StoreError) -> [String] {
        try cached(
            "SELECT id FROM accounts WHERE next_period_start_ms IS NOT NULL AND next_period_start_ms <= ? LIMIT ?"
        ).rows([nowMs, limit]) { $0.text(0) }
    }

    /// Where the test clock last stood, if a `--test-clock` server ever advanced it here.
    func testClockMs() throws(StoreError) -> Int64? {
        try cached("SELECT now_ms FROM test_clock WHERE id = 1").rows { $0.int(0) }.first
    }
}
