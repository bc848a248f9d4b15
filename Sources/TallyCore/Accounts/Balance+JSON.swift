extension Balance {
    /// The balance as API answers and event bodies show it.
    public var json: JSONValue {
        .object([
            ("available", .integer(available)), ("credits", .integer(credits)), ("held", .integer(held)),
            ("debt", .integer(debt)), ("overdraft_limit", .integer(overdraftLimit)),
        ])
    }
}
