import Foundation
import TallyCore
import TallyServer
import TallyStore

/// `tally tokens create|list|revoke`: manages the service tokens the API accepts.
enum TokensCommand {
    static let usage = """
        tally tokens create --name NAME --scope admin|authorize|read [--database PATH]
          tally tokens list [--database PATH]
          tally tokens revoke tok_ID [--database PATH]
        """

    static func run(_ words: [String]) throws(UsageError) -> Int32 {
        guard let action = words.first else { throw UsageError("tokens needs create, list or revoke") }
        var rest = Array(words.dropFirst())
        var revokeID: Int64?
        if action == "revoke" {
            guard let text = rest.first, let id = PublicID.token.parse(text) ?? Int64(text) else {
                throw UsageError("revoke needs a token id such as tok_3")
            }
            revokeID = id
            rest.removeFirst()
        }
        let arguments = try Arguments(rest, flagNames: [])
        let known: Set<String> = action == "create" ? ["name", "scope", "database", "config"] : ["database", "config"]
        if let unknown = arguments.unknown(besides: known).first { throw UsageError("unknown option --\(unknown)") }
        guard ["create", "list", "revoke"].contains(action) else { throw UsageError("unknown tokens action '\(action)'") }
        let name = arguments.string("name") ?? ""
        let scope = arguments.string("scope").flatMap(Scope.init(rawValue:))
        if action == "create" {
            guard !name.isEmpty else { throw UsageError("--name is required") }
            guard scope != nil else { throw UsageError("--scope must be admin, authorize or read") }
        }
        let path = try databasePath(arguments)
        let nowMs = Int64(Date().timeIntervalSince1970 * 1_000)
        do throws(StoreError) {
            let administration = try Store.openForAdministration(path: path, nowMs: nowMs)
            switch (action, scope) {
            case ("create", let scope?):
                let token = TokenSecret.generate()
                let id = try administration.insertServiceToken(
                    name: name, scope: scope.rawValue, hash: TokenSecret.hash(token),
                    prefix: TokenSecret.displayPrefix(token), createdAtMs: nowMs)
                printError("created \(PublicID.token.format(id)) (\(scope.rawValue)); the token is shown only once:")
                print(token)
            case ("list", _):
                for record in try administration.serviceTokens() {
                    let revoked = record.revokedAtMs.map { "revoked " + Timestamp.format($0) } ?? "active"
                    print([PublicID.token.format(record.id), record.name, record.scope, record.prefix + "…",
                           Timestamp.format(record.createdAtMs), revoked].joined(separator: "\t"))
                }
            default:
                guard let id = revokeID, try administration.revokeServiceToken(id: id, atMs: nowMs) else {
                    printError("tally tokens: no active token \(PublicID.token.format(revokeID ?? 0))")
                    return 1
                }
                print("revoked \(PublicID.token.format(id))")
            }
            return 0
        } catch {
            printError("tally tokens: \(error)")
            return 1
        }
    }

    /// `--database`, else the database of the configuration `tally serve` would use.
    private static func databasePath(_ arguments: Arguments) throws(UsageError) -> String {
        if let path = arguments.string("database") { return path }
        do throws(ServerConfiguration.Problems) {
            return try ServerConfiguration.load(
                path: arguments.string("config"), environment: ProcessInfo.processInfo.environment
            ).database
        } catch {
            throw UsageError("invalid configuration:\n\(error)")
        }
    }
}
