/// Problem details (RFC 9457) for failures the HTTP layer answers itself, before any route runs.
enum ProtocolProblem {
    /// A response whose body names the failure with a stable code, by default the status's.
    static func response(status: Int, detail: String, code: String? = nil) -> HTTPResponse {
        let code = code ?? self.code(for: status)
        var body = "{\"type\":\"urn:tally:problem:\(code)\",\"title\":\"\(ResponseSerializer.reasonPhrase(status))\","
        body += "\"status\":\(status),\"detail\":\"\(escaped(detail))\",\"code\":\"\(code)\"}"
        return HTTPResponse(
            status: status, headers: HTTPHeaders([("Content-Type", "application/problem+json")]), body: Array(body.utf8))
    }

    /// The stable code of each status the HTTP layer can answer by itself.
    static func code(for status: Int) -> String {
        switch status {
        case 400: "malformed_request"
        case 408: "request_timeout"
        case 413: "body_too_large"
        case 417: "expectation_failed"
        case 431: "headers_too_large"
        case 501: "not_implemented"
        case 503: "too_many_connections"
        case 505: "http_version_not_supported"
        default: "protocol_error"
        }
    }

    /// Escapes a detail for a JSON string; details are plain words but may quote request bytes.
    private static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
