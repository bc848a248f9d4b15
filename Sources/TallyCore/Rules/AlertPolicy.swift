/// What an account's alerts watch, merged from its own settings and its plan's defaults.
extension AccountState {
    /// The account's `balance.low` levels (else its plan's), its plan's usage alerts and its
    /// auto top-up, sized from the catalog pack and timed by the operator's settings.
    ///
    /// An account with levels of its own uses them; one with none takes its plan's. An auto top-up
    /// whose pack has left the catalog is ignored until the pack is back.
    public func thresholdPolicy(catalog: Catalog, settings: AlertSettings) -> ThresholdPolicy {
        let plan = account.subscription.flatMap { catalog.plans[$0.plan] }
        let autoTopUp = account.autoTopUp.flatMap { setting in
            catalog.packs[setting.pack].map { pack in
                AutoTopUpPolicy(
                    below: setting.below, pack: setting.pack, packCredits: pack.credits, monthlyCap: setting.monthlyCap,
                    inFlightTimeoutMs: settings.autoTopUpTimeoutMs, cooldownMs: settings.autoTopUpCooldownMs)
            }
        }
        return ThresholdPolicy(
            levels: account.thresholds.isEmpty ? plan?.thresholds ?? [] : account.thresholds, hysteresis: settings.hysteresis,
            usageAlertsPercent: plan?.usageAlertsPercent ?? [], autoTopUp: autoTopUp)
    }

    /// The running period's allowance and usage; nil without a plan.
    public var periodUsage: PeriodUsage? {
        account.subscription.map {
            PeriodUsage(periodStartMs: $0.periodStartMs, allowance: $0.allowance, used: max(0, periodUsed))
        }
    }
}
