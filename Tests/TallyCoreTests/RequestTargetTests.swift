// Reading X-Original-URI: the query and fragment are dropped, segments are percent-decoded once,
// and anything two servers could read differently (dot segments, %2F, backslashes, control
// bytes, bad escapes, invalid UTF-8) or anything oversized is refused rather than priced.
import Testing
import TallyCore

@Suite struct RequestTargetTests {
    func segments(_ uri: String) throws -> [String] {
        try RequestTarget(parsing: uri).segments
    }

    func problem(_ uri: String) -> RequestTarget.Problem? {
        do {
            _ = try RequestTarget(parsing: uri)
            return nil
        } catch {
            return error
        }
    }

    @Test func pathsSplitIntoSegments() throws {
        #expect(try segments("/") == [])
        #expect(try segments("/v1/chat/completions") == ["v1", "chat", "completions"])
        #expect(try segments("/v1/chat/") == ["v1", "chat"])
    }

    @Test func theQueryAndFragmentAreIgnored() throws {
        #expect(try segments("/v1/chat?stream=true&x=/../..") == ["v1", "chat"])
        #expect(try segments("/v1/chat#top") == ["v1", "chat"])
        #expect(try segments("/v1/chat?") == ["v1", "chat"])
        #expect(try segments("/?a=b") == [])
    }

    @Test func segmentsArePercentDecodedOnce() throws {
        #expect(try segments("/v1/caf%C3%A9/a%20b") == ["v1", "café", "a b"])
        #expect(try segments("/v1/%63hat") == ["v1", "chat"])
        #expect(try segments("/v1/%2541") == ["v1", "%41"])
        #expect(try segments("/v1/...") == ["v1", "..."])
        #expect(try segments("/v1/caf\u{E9}") == ["v1", "café"])
    }

    @Test(arguments: [
        ("", RequestTarget.Problem.notOriginForm), ("v1/chat", .notOriginForm), ("http://host/v1", .notOriginForm),
        ("*", .notOriginForm), ("?/v1", .notOriginForm),
        ("//v1", .emptySegment), ("/v1//chat", .emptySegment), ("/v1/chat//", .emptySegment),
        ("/v1/./chat", .dotSegment), ("/v1/../admin", .dotSegment), ("/v1/%2e%2e/admin", .dotSegment),
        ("/v1/%2E", .dotSegment), ("/v1/.%2e", .dotSegment), ("/..", .dotSegment),
        ("/v1/a%2Fb", .encodedSlash), ("/v1/a%2fb", .encodedSlash),
        ("/v1/a%5Cb", .forbiddenCharacter), ("/v1/a\\b", .forbiddenCharacter), ("/v1/a%00b", .forbiddenCharacter),
        ("/v1/a\u{0}b", .forbiddenCharacter), ("/v1/a%0Ab", .forbiddenCharacter), ("/v1/a%7F", .forbiddenCharacter),
        ("/v1/a\tb", .forbiddenCharacter),
        ("/v1/a%", .invalidEscape), ("/v1/a%4", .invalidEscape), ("/v1/a%GG", .invalidEscape), ("/v1/%%41", .invalidEscape),
        ("/v1/a%C3", .invalidUTF8), ("/v1/%FF", .invalidUTF8), ("/v1/%C0%AF", .invalidUTF8),
    ])
    func ambiguousTargetsAreRefused(uri: String, expected: RequestTarget.Problem) {
        #expect(problem(uri) == expected)
    }

    @Test func oversizedTargetsAreRefused() throws {
        let longest = "/" + String(repeating: "a", count: RequestTarget.maxLength - 1)
        #expect(try segments(longest).count == 1)
        #expect(problem(longest + "a") == .tooLong)
        #expect(problem("/v1?" + String(repeating: "q", count: RequestTarget.maxLength)) == .tooLong)
        #expect(problem(String(repeating: "/", count: 1_000_000)) == .tooLong)
        let most = String(repeating: "/a", count: RequestTarget.maxSegments)
        #expect(try segments(most).count == RequestTarget.maxSegments)
        #expect(problem(most + "/a") == .tooManySegments)
        #expect(problem(String(repeating: "/%00", count: 2_000)) == .tooManySegments)
        #expect(problem(String(repeating: "/%00", count: 60)) == .forbiddenCharacter)
    }
}
