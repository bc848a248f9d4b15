// libcurl's result codes map onto the attempt outcome classes: timeouts, connect and DNS
// failures, TLS failures, SSRF refusals, and a body cut at the discard limit keeping its status.
import CTallyCurl
@testable import TallyWebhooks
import Testing
import TallyCore

@Suite struct CurlOutcomeTests {
    @Test func resultCodesAreClassified() {
        #expect(CurlOutcome.classify(CURLE_OK, status: 204, refusedEveryAddress: false) == .success)
        #expect(CurlOutcome.classify(CURLE_OK, status: 301, refusedEveryAddress: false) == .httpStatus(301))
        #expect(CurlOutcome.classify(CURLE_WRITE_ERROR, status: 200, refusedEveryAddress: false) == .success)
        #expect(CurlOutcome.classify(CURLE_WRITE_ERROR, status: 0, refusedEveryAddress: false) == .other)
        #expect(CurlOutcome.classify(CURLE_OPERATION_TIMEDOUT, status: 0, refusedEveryAddress: false) == .timeout)
        #expect(CurlOutcome.classify(CURLE_COULDNT_RESOLVE_HOST, status: 0, refusedEveryAddress: false) == .connectFailed)
        #expect(CurlOutcome.classify(CURLE_COULDNT_CONNECT, status: 0, refusedEveryAddress: false) == .connectFailed)
        #expect(CurlOutcome.classify(CURLE_COULDNT_CONNECT, status: 0, refusedEveryAddress: true) == .blockedAddress)
        #expect(CurlOutcome.classify(CURLE_PEER_FAILED_VERIFICATION, status: 0, refusedEveryAddress: false) == .tlsError)
        #expect(CurlOutcome.classify(CURLE_SSL_CONNECT_ERROR, status: 0, refusedEveryAddress: false) == .tlsError)
        #expect(CurlOutcome.classify(CURLE_RECV_ERROR, status: 0, refusedEveryAddress: false) == .other)
        #expect(CurlOutcome.classify(CURLE_UNSUPPORTED_PROTOCOL, status: 0, refusedEveryAddress: false) == .other)
    }
}
