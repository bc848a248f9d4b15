import TallyStore

/// `tally verify --database PATH`: checks every invariant and lists each violation.
enum VerifyCommand {
    static let usage = "tally verify --database PATH"

    static func run(_ arguments: Arguments) throws(UsageError) -> Int32 {
        guard let path = arguments.string("database") else { throw UsageError("--database is required") }
        do throws(StoreError) {
            let result = try Store.openForInspection(path: path).verify()
            for violation in result.violations { print("violation: \(violation)") }
            print("checked \(result.accounts) accounts: \(result.violations.isEmpty ? "clean" : "\(result.violations.count) violations")")
            return result.violations.isEmpty ? 0 : 1
        } catch {
            printError("tally verify: \(error)")
            return 1
        }
    }
}
