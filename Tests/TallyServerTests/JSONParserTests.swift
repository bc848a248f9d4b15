// Proves the JSON parser is strict (nesting limit, escapes, invalid UTF-8, trailing garbage,
// duplicate names, number grammar) and keeps integers exact, and that the writer escapes.
import TallyCore
import Testing
import TallyServer

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func refuses(_ text: String) -> Bool {
        (try? parse(text)) == nil
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2, 3.5, true, false, null, "x"], "b": {}} "#)
        #expect(value == .object([
            ("a", .array([.integer(1), .integer(-2), .number("3.5"), .bool(true), .bool(false), .null, .string("x")])),
            ("b", .object([])),
        ]))
    }

    @Test func limitsNesting() throws {
        let deepest = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try parse(deepest) }
        let tooDeep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(refuses(tooDeep))
        #expect(refuses(String(repeating: "{\"a\":", count: 100_000)))
    }

    @Test func keepsIntegersExactAndHugeNumbersAsText() throws {
        #expect(try parse("9223372036854775807") == .integer(Int64.max))
        #expect(try parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try parse("9223372036854775808") == .number("9223372036854775808"))
        #expect(try parse("1e400") == .number("1e400"))
        #expect(try parse("1000000000000000000000000000000") == .number("1000000000000000000000000000000"))
        #expect(try parse("1.0") == .number("1.0"))
        #expect(try parse("-0") == .integer(0))
        for bad in ["01", "+1", ".5", "1.", "1e", "-", "0x10", "NaN", "Infinity", "1 2"] {
            #expect(refuses(bad), "\(bad)")
        }
    }

    @Test func decodesEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\u00e9\u4e2d""#) == .string("é中"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(refuses(#""\ud83d""#), "a lone high surrogate")
        #expect(refuses(#""\ude00""#), "a lone low surrogate")
        #expect(refuses(#""\ud83d\u0041""#), "a high surrogate followed by a non-surrogate")
        #expect(refuses(#""\x41""#))
        #expect(refuses(#""\u12""#))
        #expect(refuses("\"a\u{1}b\""), "raw control characters are not allowed in strings")
        #expect(refuses(#""unterminated"#))
    }

    @Test func refusesInvalidUTF8() throws {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22]] {
            #expect((try? JSONParser.parse(bytes)) == nil)
        }
        #expect(try JSONParser.parse([0x22, 0xC3, 0xA9, 0x22]) == .string("é"))
    }

    @Test func refusesTrailingGarbageAndDuplicates() {
        for bad in [#"{"a":1} x"#, #"{"a":1}}"#, "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "", "   ", #"{"a":1,"a":2}"#, "tru", "nul"] {
            #expect(refuses(bad), "\(bad)")
        }
    }

    @Test func writerEscapesAndRoundTrips() throws {
        let value: JSONValue = .object([
            ("text", .string("quote \" backslash \\ newline \n tab \t bell \u{7} é 😀")),
            ("n", .integer(-42)), ("list", .array([.null, .bool(true)])),
        ])
        let bytes = JSONWriter.bytes(value)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"\u0007"#))
        #expect(try JSONParser.parse(bytes) == value)
    }
}
