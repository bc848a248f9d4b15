/// The command line after the subcommand: `--name value` options and `--flag` switches.
struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses `arguments`; names listed in `flagNames` take no value.
    init(_ arguments: [String], flagNames: Set<String>) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else { throw UsageError("unexpected argument '\(argument)'") }
            let name = String(argument.dropFirst(2))
            if flagNames.contains(name) {
                flags.insert(name)
                index += 1
            } else {
                guard index + 1 < arguments.count else { throw UsageError("--\(name) needs a value") }
                values[name] = arguments[index + 1]
                index += 2
            }
        }
    }

    /// Whether a switch was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The text value of an option.
    func string(_ name: String) -> String? { values[name] }

    /// The integer value of an option, or `fallback` when absent.
    func int(_ name: String, default fallback: Int) throws(UsageError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value > 0 else { throw UsageError("--\(name) must be a positive integer") }
        return value
    }

    /// Names of options given that the command does not know.
    func unknown(besides known: Set<String>) -> [String] {
        (Set(values.keys).union(flags)).subtracting(known).sorted()
    }
}

/// A mistake on the command line; printed with the command's usage and exit code 2.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
