// Proves the router matches literal and parameter routes, decodes the parameter, treats HEAD
// as GET, and tells a missing path (404) from a wrong method (405 with the allowed ones).
@testable import TallyServer
import Testing

@Suite struct RouterTests {
    let router = Router(routes: RouteTable.all)

    /// The name of the route matched and its parameter.
    private func route(_ method: String, _ path: String) -> (String, String)? {
        guard case .found(let route, let parameter) = router.match(method: method, path: path) else { return nil }
        return (route.name, parameter)
    }

    @Test func matchesRoutesAndParameters() {
        #expect(route("POST", "/v1/authorize")?.0 == "authorize")
        #expect(route("GET", "/v1/accounts")?.0 == "listAccounts")
        #expect(route("GET", "/v1/accounts/a%3Ab")! == ("getAccount", "a:b"))
        #expect(route("POST", "/v1/holds/hld_7/capture")! == ("captureHold", "hld_7"))
        #expect(route("HEAD", "/v1/debits/dbt_1")?.0 == "getDebit")
        #expect(route("HEAD", "/healthz")?.0 == "health")
    }

    @Test func separatesNotFoundFromWrongMethod() {
        for path in ["/v1/accounts/", "/v1/accounts//ledger", "/v1", "", "v1/authorize", "/v1/authorize/x"] {
            guard case .notFound = router.match(method: "GET", path: path) else {
                Issue.record("\(path) should not match")
                continue
            }
        }
        guard case .methodNotAllowed(let allowed) = router.match(method: "PUT", path: "/v1/accounts/x") else {
            Issue.record("PUT on an account should be 405")
            return
        }
        #expect(allowed == ["GET", "PATCH"])
        guard case .methodNotAllowed(let methods) = router.match(method: "GET", path: "/v1/authorize") else {
            Issue.record("GET /v1/authorize should be 405")
            return
        }
        #expect(methods == ["POST"])
    }
}
