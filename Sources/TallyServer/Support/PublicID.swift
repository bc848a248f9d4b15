/// The public, prefixed form of the engine's ids (`dbt_42`, `hld_43`, `lot_44`, `ent_45`).
///
/// Ids come from one sequence shared by entries, lots and holds, so they reveal order and
/// volume; the prefix only says what kind of object the number names.
public enum PublicID: String, Sendable, CaseIterable {
    case debit = "dbt"
    case hold = "hld"
    case lot = "lot"
    case entry = "ent"
    case token = "tok"
    case endpoint = "we"
    case delivery = "wd"
    case key = "key"

    /// The public text of an id.
    public func format(_ id: Int64) -> String { rawValue + "_" + String(id) }

    /// The number behind `text` when it carries this prefix and a positive decimal id.
    public func parse(_ text: String) -> Int64? {
        guard text.hasPrefix(rawValue + "_"), let id = Self.number(text.dropFirst(rawValue.count + 1)), id > 0 else { return nil }
        return id
    }

    /// `digits` as a number when it is 1 to 18 ASCII digits (no sign, so it never overflows).
    public static func number(_ digits: Substring) -> Int64? {
        guard (1...18).contains(digits.utf8.count), digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(digits)
    }
}
