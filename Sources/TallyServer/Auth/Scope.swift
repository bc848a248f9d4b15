/// What a service token may do: `admin` everything, `authorize` the hot path and one account's
/// balance, `read` every GET.
public enum Scope: String, Sendable, CaseIterable {
    case admin, authorize, read
}
