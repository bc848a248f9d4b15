// Proves number literals are read as integers exactly as JSON Schema reads `integer` (`5.0`,
// `1e3`), digit by digit, so no fraction slips through and no large value loses a digit.
import TallyCore
import Testing

@Suite struct JSONNumberTests {
    @Test(arguments: [
        ("8928.0", Int64(8928)), ("1e3", 1_000), ("1.5e3", 1_500), ("-2.000", -2), ("0.0", 0), ("-0", 0), ("0e400", 0),
        ("1000000000000000.0", 1_000_000_000_000_000), ("9223372036854775807.0", .max), ("-9223372036854775808", .min),
        ("12345678901234567.0", 12_345_678_901_234_567), ("1E+2", 100), ("100e-2", 1), ("0.000e5", 0),
    ])
    func exactIntegersAreRead(literal: String, value: Int64) {
        #expect(JSONNumber.exactInteger(literal) == value, "\(literal)")
        #expect(JSONValue.number(literal).integerValue == value)
    }

    @Test(arguments: [
        "1.5", "0.1", "1e-1", "9223372036854775808", "9223372036854775807.5", "-9223372036854775809", "1e19", "1e401",
        "", "-", ".5", "1.", "1e", "abc", "1.2.3", "1e2e3",
    ])
    func fractionsAndOverflowsAreNot(literal: String) {
        #expect(JSONNumber.exactInteger(literal) == nil, "\(literal)")
    }
}
