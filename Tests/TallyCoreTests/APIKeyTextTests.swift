// API key text: base62 at a fixed width per byte count (known vectors), keys made from at least
// 32 caller-supplied bytes read back with their mode, and every malformed presented key refused.
import Testing
import TallyCore
import TallyTesting

@Suite struct APIKeyTextTests {
    @Test func base62KnownVectors() {
        #expect(Base62.encode(repeated(255, 32)) == "yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1")
        #expect(Base62.encode(Array(0..<32)) == "003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf")
        #expect(Base62.encode([0, 0, 1]) == "00001")
        #expect(Base62.encode([1, 0]) == "048")
        #expect(Base62.encode([0]) == "00" && Base62.encode([]) == "")
    }

    @Test func widthDependsOnlyOnTheByteCount() {
        #expect([0, 1, 2, 32, 64].map(Base62.width(forByteCount:)) == [0, 2, 3, 43, 86])
        #expect(APIKeyText.minSecretLength == 43)
    }

    @Test func aNewKeyHasItsModePrefixAndFixedLength() throws {
        let live = try #require(APIKeyText(mode: .live, randomBytes: Array(0..<32)))
        #expect(live.text == "tk_live_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf")
        #expect(live.displayPrefix == "tk_live_003a")
        #expect(!live.description.contains(live.text) && live.description.hasPrefix("tk_live_003a"))
        let test = try #require(APIKeyText(mode: .test, randomBytes: repeated(0, 32)))
        #expect(test.text == "tk_test_" + String(repeating: "0", count: 43))
    }

    @Test func tooFewOrTooManyBytesMakeNoKey() {
        #expect(APIKeyText(mode: .live, randomBytes: repeated(7, 31)) == nil)
        #expect(APIKeyText(mode: .live, randomBytes: []) == nil)
        #expect(APIKeyText(mode: .live, randomBytes: repeated(7, 95)) != nil)
        #expect(APIKeyText(mode: .live, randomBytes: repeated(7, 96)) == nil)
    }

    @Test func wellFormedKeysParseWithTheirMode() throws {
        let secret = String(repeating: "aZ9", count: 15)
        #expect(APIKeyText(parsing: "tk_live_" + secret)?.mode == .live)
        #expect(APIKeyText(parsing: "tk_test_" + secret)?.mode == .test)
        #expect(APIKeyText(parsing: "tk_test_" + String(repeating: "x", count: 128)) != nil)
    }

    @Test(arguments: [
        "", "tk_live_", "tk_live", "tk_prod_" + String(repeating: "a", count: 43), "TK_LIVE_" + String(repeating: "a", count: 43),
        "tk_live_" + String(repeating: "a", count: 42), "tk_live_" + String(repeating: "a", count: 129),
        " tk_live_" + String(repeating: "a", count: 43), "tk_live_" + String(repeating: "a", count: 43) + "\n",
        "tk_live_" + String(repeating: "a", count: 42) + "-", "tk_live_" + String(repeating: "a", count: 42) + "_",
        "tk_live_" + String(repeating: "a", count: 42) + "\u{0}", "tk_live_" + String(repeating: "a", count: 42) + "é",
        "tk_live_\u{0301}" + String(repeating: "a", count: 43), "Bearer tk_live_" + String(repeating: "a", count: 43),
    ])
    func malformedKeysAreRefused(presented: String) {
        #expect(APIKeyText(parsing: presented) == nil)
    }

    @Test(arguments: [UInt64(1), 404, 65_536])
    func randomKeysReadBackAsThemselves(seed: UInt64) throws {
        print("APIKeyTextTests seed \(seed)")
        var random = SplitMix64(seed: seed)
        var seen: Set<String> = []
        for _ in 0..<500 {
            let bytes = (0..<(32 + random.below(33))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let mode = APIKeyText.Mode.allCases[random.below(2)]
            let key = try #require(APIKeyText(mode: mode, randomBytes: bytes), "seed \(seed)")
            #expect(APIKeyText(parsing: key.text) == key, "seed \(seed)")
            #expect(key.text.utf8.count == mode.prefix.utf8.count + Base62.width(forByteCount: bytes.count))
            #expect(seen.insert(key.text).inserted, "seed \(seed)")
        }
    }
}

/// `count` copies of `byte`.
private func repeated(_ byte: UInt8, _ count: Int) -> [UInt8] {
    [UInt8](repeating: byte, count: count)
}
