import CTallyCurl
import TallyCore

/// Maps what libcurl reports about a finished transfer to the attempt outcome classes.
enum CurlOutcome {
    private static let tlsCodes = Set([
        CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
        CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_USE_SSL_FAILED,
        CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
        CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT,
    ].map(\.rawValue))

    /// The outcome of a transfer that ended with `code` after receiving `status` (0 for none).
    /// `refusedEveryAddress` is set when the SSRF guard refused each address tried.
    static func classify(_ code: CURLcode, status: Int, refusedEveryAddress: Bool) -> AttemptOutcome {
        // A status line arrived and only the body was cut at the discard limit: the status decides.
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && status > 0) { return AttemptOutcome(status: status) }
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_COULDNT_CONNECT: return refusedEveryAddress ? .blockedAddress : .connectFailed
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .connectFailed
        default: return tlsCodes.contains(code.rawValue) ? .tlsError : .other
        }
    }
}
