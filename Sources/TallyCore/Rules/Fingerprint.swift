/// The canonical text of a request, compared when an idempotency key is reused.
///
/// Two requests with the same fingerprint are the same request; the engine hashes it before
/// storing, so its length does not matter.
public enum Fingerprint {
    /// Joins the request's fields with a separator that cannot appear in them unescaped:
    /// U+1F is the escape (doubled inside a field) and U+1F U+1E separates fields.
    public static func make(_ fields: [String]) -> String {
        fields.map { $0.replacingAll("\u{1F}", with: "\u{1F}\u{1F}") }
            .joined(separator: "\u{1F}\u{1E}")
    }

    /// Renders a metadata map in key order so that equal maps give equal text.
    public static func field(_ metadata: [String: String]) -> String {
        make(metadata.keys.sorted().flatMap { [$0, metadata[$0] ?? ""] })
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
