extension Balance {
    /// The balance as API answers and event bodies show it.
    public var json: JSONValue {
        .object([
            ("available", .integer(available)), ("credits", .integer(credits)), ("held", .integer(held)),
            ("debt", .integer(debt)), ("overdraft_limit", .integer(overdraftLimit)),
        ])
    }
}

extension AutoTopUpSetting {
    /// The setting as API answers and event bodies show it.
    public var json: JSONValue {
        .members([
            ("below", .integer(below)), ("pack", .string(pack)), ("monthly_cap", monthlyCap.map { .integer(Int64($0)) }),
        ])
    }
}
