import CTallyCurl
import Glibc
import TallyCore
import TallySystem

/// One attempt in flight: its easy handle, what it sends and what it has received so far.
///
/// Lives only on the delivery thread; libcurl's callbacks reach it through an unretained
/// pointer that the client keeps valid until the handle is removed from the multi handle.
final class Transfer {
    let easy: UnsafeMutableRawPointer
    let request: DeliveryRequest
    let completion: @Sendable (DeliveryResult) -> Void
    let timestampSeconds: Int64
    private let configuration: DeliveryConfiguration
    private var headers: UnsafeMutablePointer<curl_slist>?
    private let startedNs = MonotonicClock.nowNs()
    private var body: [UInt8] = []
    private var bodyBytesSeen = 0
    private var retryAfter: String?
    private var refusedAddresses = 0
    private var openedSockets = 0

    init?(_ request: DeliveryRequest, configuration: DeliveryConfiguration, completion: @escaping @Sendable (DeliveryResult) -> Void) {
        guard let easy = ctally_curl_easy_init() else { return nil }
        self.easy = easy
        self.request = request
        self.completion = completion
        self.configuration = configuration
        self.timestampSeconds = configuration.nowSeconds()
    }

    deinit {
        ctally_curl_slist_free_all(headers)
        ctally_curl_easy_cleanup(easy)
    }

    /// Sets every option of the attempt; false if libcurl refused one.
    func configure() -> Bool {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let signature = WebhookSigner.header(
            secrets: request.secrets, messageID: request.messageID, timestampSeconds: timestampSeconds, body: request.body)
        for line in [
            "content-type: application/json", "webhook-id: \(request.messageID)", "webhook-timestamp: \(timestampSeconds)",
            "webhook-signature: \(signature)", "user-agent: \(configuration.userAgent)",
            // An empty Expect: stops libcurl from waiting for 100-continue before large bodies.
            "Expect:",
        ] {
            headers = ctally_curl_slist_append(headers, line)
        }
        let protocols = configuration.addressPolicy.allowPrivate ? "http,https" : "https"
        var codes = [
            ctally_curl_easy_setopt_string(easy, CURLOPT_URL, request.url),
            ctally_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, protocols),
            // An empty proxy ignores http_proxy and friends: the address guard must see the real peer.
            ctally_curl_easy_setopt_string(easy, CURLOPT_PROXY, ""),
            ctally_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0),
            ctally_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1),
            ctally_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS),
            ctally_curl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1),
            ctally_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1),
            ctally_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeoutMs),
            ctally_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, configuration.totalTimeoutMs),
            ctally_curl_easy_setopt_long(easy, CURLOPT_POST, 1),
            ctally_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
            ctally_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)),
            ctally_curl_easy_setopt_write_callback(easy, transferWrite),
            ctally_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context),
            ctally_curl_easy_setopt_header_callback(easy, transferHeader),
            ctally_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context),
            ctally_curl_easy_setopt_opensocket_callback(easy, transferOpenSocket),
            ctally_curl_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, context),
        ]
        // libcurl copies the body here, so it need not outlive this call.
        codes.append(
            request.body.isEmpty
                ? ctally_curl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
                : request.body.withUnsafeBytes {
                    ctally_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
                })
        return codes.allSatisfy { $0 == CURLE_OK }
    }

    /// Keeps the first bytes of the answer's body; returns fewer bytes than offered (which
    /// aborts the transfer) only past the discard limit.
    func receiveBody(_ data: UnsafeRawBufferPointer) -> Int {
        bodyBytesSeen += data.count
        let room = configuration.responseBodyLimitBytes - body.count
        if room > 0 { body.append(contentsOf: data.prefix(room)) }
        return bodyBytesSeen > configuration.responseDiscardLimitBytes ? 0 : data.count
    }

    /// Notes `Retry-After` from the final answer's headers (an interim answer's are dropped).
    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            retryAfter = nil
            return
        }
        let name = "retry-after:".utf8
        guard line.count > name.count, zip(line, name).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) else { return }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        let value = line.dropFirst(name.count).drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        retryAfter = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
    }

    /// Opens a socket for `address` if the SSRF policy permits it, else refuses the connect.
    func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        var bytes = [UInt8](repeating: 0, count: 16)
        let length = Int(ctally_curl_sockaddr_ip(address, &bytes))
        guard let ip = IPAddress(bytes: Array(bytes.prefix(length))), configuration.addressPolicy.permits(ip) else {
            refusedAddresses += 1
            return CURL_SOCKET_BAD
        }
        let socketType = address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = socket(address.pointee.family, socketType, address.pointee.protocol)
        if descriptor >= 0 { openedSockets += 1 }
        return descriptor >= 0 ? descriptor : CURL_SOCKET_BAD
    }

    /// The result of the attempt libcurl finished with `code`.
    func result(_ code: CURLcode) -> DeliveryResult {
        var status = 0
        _ = ctally_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var ipPointer: UnsafeMutableRawPointer?
        _ = ctally_curl_easy_getinfo_pointer(easy, CURLINFO_PRIMARY_IP, &ipPointer)
        let remote = ipPointer.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }.flatMap { $0.isEmpty ? nil : $0 }
        let outcome = CurlOutcome.classify(code, status: status, refusedEveryAddress: refusedAddresses > 0 && openedSockets == 0)
        return DeliveryResult(
            outcome: outcome, httpStatus: status, retryAfter: retryAfter, responseBody: body,
            durationMs: Int64((MonotonicClock.nowNs() &- startedNs) / 1_000_000),
            timestampSeconds: timestampSeconds, remoteAddress: remote,
            errorDetail: code == CURLE_OK ? nil : String(cString: ctally_curl_easy_strerror(code)))
    }
}
