import TallyCore

/// Opaque list cursors: the position after which the next page starts, tagged with the list it
/// belongs to and base64url-encoded so clients treat it as a token.
enum Cursor {
    /// The cursor for a position in the list named `list`.
    static func encode(list: String, position: String) -> String {
        Base64.encode((list + ":" + position).utf8, alphabet: .url, padded: false)
    }

    /// The position a cursor names, or nil when it is malformed or from another list.
    static func decode(_ cursor: String, list: String) -> String? {
        guard let bytes = Base64.decode(cursor, alphabet: .url), let text = String(validating: bytes, as: UTF8.self),
            text.hasPrefix(list + ":")
        else { return nil }
        return String(text.dropFirst(list.count + 1))
    }
}
