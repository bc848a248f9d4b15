import TallyCore
import TallyEngine

/// The test clock: like Stripe's test clocks, it lets anyone live through a month in a second.
extension TallyAPI {
    func testClockNow() throws(Problem) -> Reply {
        guard let testClock else { throw Problem.notFound }
        return Reply(status: 200, body: .object([("now", .string(Timestamp.format(testClock.nowMs())))]))
    }

    /// Moves the clock (never past 9999-12-31T23:59:59.999Z), stores where it stands, then runs
    /// the due work (period starts, hold and lot expiry) that the move made due, so the answer
    /// comes after the engine has caught up.
    func advanceTestClock(_ call: inout Call) async throws(Problem) -> Reply {
        guard let testClock else { throw Problem.notFound }
        var body = try RequestBody(call.request)
        guard let seconds = try body.integer("seconds", in: Limits.testClockAdvanceSeconds.range, code: "invalid_field") else {
            throw .invalid("missing_field", "'seconds' is required")
        }
        try body.finish()
        // Past year 9999 the API would write times it cannot read back (RFC 3339 years have four digits).
        guard testClock.advance(byMs: seconds * 1_000, notPast: Timestamp.range.upperBound) != nil else {
            throw .timeOutOfRange("advancing \(seconds) s from \(Timestamp.format(testClock.nowMs())) passes the last time")
        }
        try await engineCall { () async throws(EngineError) in try await engine.recordClock() }
        await engine.runDueWork()
        return try testClockNow()
    }
}
