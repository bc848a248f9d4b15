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
        wallets[account].model.settleAlerts()
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
        engine = try Self.openEngine(path, clock: clock, idleEvictionMs: idleEvictionMs)
        isOpen = true
        for account in wallets.indices { try await compareBalance(account) }
        try await checkAlerts()
    }

    /// The engine's period starts and alerts since the last check must be the model's, in order.
    func checkAlerts() async throws {
        for account in wallets.indices {
            var told: [String] = []
            while true {
                let query = EventQuery(afterID: wallets[account].lastEventID, account: wallets[account].id, limit: 1_000)
                let rows: [EventRow]
                do throws(EngineError) { rows = try await engine.events(query) } catch { throw fail("events: \(error)") }
                told += rows.compactMap(Self.alertText)
                guard let last = rows.last else { break }
                wallets[account].lastEventID = last.id
            }
            let expected = wallets[account].model.alerts.expected
            guard told == expected else {
                let used = (try? await engine.account(wallets[account].id).periodUsed).map(String.init) ?? "?"
                throw fail(
                    "\(wallets[account].id) events \(told.suffix(8)) but the model expects \(expected.suffix(8)) (period usage: engine \(used), model \(wallets[account].model.used))")
            }
            counts["alert events", default: 0] += told.count
            wallets[account].model.alerts.expected = []
        }
    }

    /// An event of the kinds the model predicts, as the model writes it.
    static func alertText(_ row: EventRow) -> String? {
        guard let data = (try? JSONParser.parse(row.body))?["data"] else { return nil }
        switch row.type {
        case "period.reset":
            let start = data["period_start"]?.stringValue.flatMap(Timestamp.parse) ?? -1
            let numbers = ["allowance", "rollover", "expired"].map { data[$0]?.integerValue ?? -1 }
            return "period.reset \(start) \(numbers[0]) \(numbers[1]) \(numbers[2])"
        case "balance.low": return "balance.low \(data["level"]?.integerValue ?? -1)"
        case "balance.depleted": return "balance.depleted"
        case "balance.recovered":
            let levels = data["levels"]?.arrayValue?.compactMap(\.integerValue) ?? []
            return "balance.recovered \(levels) \(data["depleted"] == .bool(true))"
        case "usage.threshold": return "usage.threshold \(data["percent"]?.integerValue ?? -1)"
        default: return nil
        }
    }
}
