// The simulation's checks against the engine: balances, holds, debit lineage, and restarts with the
// ledger verifier.
import TallyCore
import TallyEngine
import TallyStore

extension Simulation {
    // MARK: Checks

    static func matches(_ balance: Balance, _ model: ReferenceWallet) -> Bool {
        balance.credits == model.credits && balance.held == model.held && balance.debt == model.debt
            && balance.available == model.available && balance.overdraftLimit == model.overdraftLimit
    }

    static func describe(_ model: ReferenceWallet) -> String {
        "model credits \(model.credits) held \(model.held) debt \(model.debt) available \(model.available) limit \(model.overdraftLimit)"
    }

    /// The engine's balance of the account must equal the model's, expiry included.
    func compareBalance(_ account: Int) async throws {
        let time = now
        wallets[account].model.passTime(to: time)
        let wallet = wallets[account]
        let balance: Balance
        do throws(EngineError) {
            balance = try await engine.account(wallet.id).balance
        } catch {
            throw fail("reading \(wallet.id): \(error)")
        }
        guard Self.matches(balance, wallet.model) else {
            throw fail("\(wallet.id) engine balance \(balance) but \(Self.describe(wallet.model))")
        }
    }

    /// Every debit's amount and refunds so far, as the engine shows them, must match the model.
    /// At restarts only the debits made since the last check and a few older ones are read;
    /// at the end, all of them.
    func checkDebits(all: Bool) async throws {
        for (account, wallet) in wallets.enumerated() {
            let older = (0..<min(20, wallet.checkedDebits)).map { _ in rng.below(wallet.checkedDebits) }
            let indices = all ? Array(wallet.debitIDs.indices) : older + Array(wallet.checkedDebits..<wallet.debitIDs.count)
            wallets[account].checkedDebits = wallet.debitIDs.count
            for index in indices {
                let id = wallet.debitIDs[index]
                let charge = wallet.model.charges[index]
                let record: DebitRecord
                do throws(EngineError) { record = try await engine.debit(id) } catch { throw fail("debit \(id): \(error)") }
                guard record.account == wallet.id, record.amount == charge.total, record.refunded == charge.refunded,
                    record.debt == charge.debt, record.lotParts.map(\.amount) == charge.parts.map(\.amount),
                    zip(record.lotParts, charge.parts).allSatisfy({ part, expected in
                        wallet.lotIDs[expected.parcel].map { $0 == part.lot } ?? true
                            && record.refundedLots[part.lot] == charge.refundedParts[expected.parcel]
                    })
                else { throw fail("debit \(id) is \(record) but the model has \(charge)") }
            }
        }
    }

    /// Closes the engine, verifies the file, reopens it and compares every account.
    func restart() async throws {
        await engine.close()
        isOpen = false
        let report = try verifyLedger(path)
        guard report.violations.isEmpty, report.accounts == wallets.count else {
            throw fail("verifier: \(report.accounts) accounts, violations \(report.violations)")
        }
        engine = try openEngine(path, clock: clock, retentionMs: Self.retentionMs, idleEvictionMs: idleEvictionMs)
        isOpen = true
        for account in wallets.indices { try await compareBalance(account) }
    }
}
