import TallyCore
import TallyEngine

/// Reading debits with their lineage, and refunding them.
extension TallyAPI {
    func getDebit(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try debitID(call.parameter)
        let debit = try await engineCall { () async throws(EngineError) in try await engine.debit(id) }
        call.account = debit.account
        return Reply(status: 200, body: LedgerJSON.debit(debit))
    }

    func refundDebit(_ call: inout Call) async throws(Problem) -> Reply {
        let id = try debitID(call.parameter)
        var body = try RequestBody(call.request)
        let amount = try body.amount("amount")
        let reason = try body.string("reason")
        let key = try call.idempotencyKey(&body)
        try body.finish()
        let result = try await engineCall { () async throws(EngineError) in
            try await engine.refund(debit: id, amount: amount, reason: reason, idempotencyKey: key)
        }
        return Reply(status: 200, body: AccountJSON.refund(result.value), replayed: result.replayed)
    }

    private func debitID(_ text: String) throws(Problem) -> Int64 {
        guard let id = PublicID.debit.parse(text) else { throw Problem(Rejection.debitNotFound) }
        return id
    }
}
