// Proves RFC 3339 times are written as UTC with milliseconds and read back exactly, offsets
// included, and that impossible dates are refused; a leap second (:60) is read only where RFC
// 3339 §5.7 allows one and as 23:59:59.999 of its day; the API refuses times outside the
// four-digit years it can write (time_out_of_range) and takes both ends of that range.
import TallyCore
import Testing
import TallyServer

@Suite struct TimestampTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(1_768_471_200_123) == "2026-01-15T10:00:00.123Z")
        #expect(Timestamp.format(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func roundTripsAcrossYears() {
        var ms: Int64 = -2_000_000_000_000
        while ms < 5_000_000_000_000 {
            #expect(Timestamp.parse(Timestamp.format(ms)) == ms)
            ms += 86_399_987_123
        }
    }

    @Test func parsesFractionsAndOffsets() {
        #expect(Timestamp.parse("2026-01-15T10:00:00Z") == 1_768_471_200_000)
        #expect(Timestamp.parse("2026-01-15T10:00:00.5Z") == 1_768_471_200_500)
        #expect(Timestamp.parse("2026-01-15T10:00:00.123456789Z") == 1_768_471_200_123)
        #expect(Timestamp.parse("2026-01-15T11:30:00+01:30") == 1_768_471_200_000)
        #expect(Timestamp.parse("2026-01-15t08:00:00-02:00") == 1_768_471_200_000)
    }

    @Test func refusesImpossibleTimes() {
        for bad in ["2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-15T24:00:00Z",
                    "2026-01-15T10:60:00Z", "2026-01-15 10:00:00Z", "2026-01-15T10:00:00", "2026-01-15T10:00:00.Z",
                    "2026-01-15T10:00:00+0100", "yesterday", "2026-01-15T10:00:00Zjunk"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func readsALeapSecondAsTheLastMillisecondOfItsDay() throws {
        let last = try #require(Timestamp.parse("2016-12-31T23:59:59.999Z"))
        #expect(Timestamp.parse("2016-12-31T23:59:60Z") == last)
        #expect(Timestamp.parse("2016-12-31T23:59:60.5Z") == last, "any fraction of the leap second")
        #expect(Timestamp.parse("2016-12-31T15:59:60-08:00") == last, "the offset shifts where it falls")
        #expect(Timestamp.parse("2017-01-01T05:29:60+05:30") == last)
        #expect(Timestamp.parse("2015-06-30T23:59:60Z") == Timestamp.parse("2015-06-30T23:59:59.999Z"))
        #expect(Timestamp.parse("2028-03-31T23:59:60Z") != nil, "any month end may take one (ITU-R TF.460)")
        for bad in ["2016-12-31T23:58:60Z", "2016-12-31T22:59:60Z", "2016-12-30T23:59:60Z", "2016-11-30T12:59:60Z",
                    "2016-12-31T23:59:60-08:00", "2016-12-31T15:59:60+08:00", "2016-12-31T23:59:61Z", "2016-12-31T23:60:00Z"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func theRangeIsWhatFourDigitYearsCanWrite() {
        #expect(Timestamp.format(Timestamp.range.lowerBound) == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Timestamp.range.upperBound) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.parse("0000-01-01T00:00:00Z") == Timestamp.range.lowerBound)
        #expect(Timestamp.parse("9999-12-31T23:59:59.999Z") == Timestamp.range.upperBound)
        #expect(Timestamp.parse("9999-12-31T23:59:59.999-00:01").map(Timestamp.range.contains) == false)
        #expect(Timestamp.parse("0000-01-01T00:00:00+00:01").map(Timestamp.range.contains) == false)
    }

    @Test func theAPIReadsLeapSecondsAndRefusesTimesItCouldNotWrite() async throws {
        try await withAPI { api in
            try await api.fund("t", 10)
            let leap = try await api.send("POST", "/v1/accounts/t/topups", json: #"{"amount": 1, "expires_at": "2026-06-30T23:59:60Z"}"#)
            #expect(leap.status == 201 && leap.json?["lot"]?["expires_at"] == .string("2026-06-30T23:59:59.999Z"), "\(leap.body)")
            let end = try await api.send("POST", "/v1/accounts/t/keys", json: #"{"expires_at": "9999-12-31T23:59:59.999Z"}"#)
            #expect(end.status == 201 && end.json?["expires_at"] == .string("9999-12-31T23:59:59.999Z"), "\(end.body)")
            let past = try await api.send("POST", "/v1/accounts/t/keys", json: #"{"expires_at": "9999-12-31T23:59:59.999-00:01"}"#)
            #expect(past.status == 422 && past.json?["code"] == .string("time_out_of_range"), "\(past.body)")
            let notLeap = try await api.send("POST", "/v1/accounts/t/topups", json: #"{"amount": 1, "expires_at": "2026-06-29T23:59:60Z"}"#)
            #expect(notLeap.status == 422 && notLeap.json?["code"] == .string("invalid_time"))
            let ledger = try await api.send("GET", "/v1/accounts/t/ledger?from=0000-01-01T00:00:00%2B00:01")
            #expect(ledger.status == 422 && ledger.json?["code"] == .string("time_out_of_range"), "\(ledger.body)")
            let usage = try await api.send("GET", "/v1/accounts/t/usage?from=2026-01-01T00:00:00Z&to=9999-12-31T23:59:59.999-00:01")
            #expect(usage.status == 422 && usage.json?["code"] == .string("time_out_of_range"), "\(usage.body)")
        }
    }
}
