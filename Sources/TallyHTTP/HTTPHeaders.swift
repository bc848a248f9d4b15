/// An ordered list of HTTP header fields with case-insensitive lookup by name.
public struct HTTPHeaders: Sendable, Sequence {
    /// The fields in the order they were received or added, names as sent.
    public private(set) var fields: [(name: String, value: String)]

    init(fields: [(name: String, value: String)]) {
        self.fields = fields
    }

    /// Creates a header list from name-value pairs, keeping their order.
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// The number of fields, counting repeated names separately.
    public var count: Int { fields.count }

    /// The value of the first field with this name, compared case-insensitively.
    public subscript(name: String) -> String? {
        for field in fields where Self.namesMatch(field.name, name) {
            return field.value
        }
        return nil
    }

    /// All values of fields with this name, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// How many fields have this name, compared case-insensitively, without allocating.
    public func occurrences(of name: String) -> Int {
        var count = 0
        for field in fields where Self.namesMatch(field.name, name) { count += 1 }
        return count
    }

    /// Appends a field, keeping any earlier fields with the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field with this name by a single field holding the value.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field with this name.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Compares two header names ASCII-case-insensitively without allocating.
    static func namesMatch(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { left in
            b.withUTF8 { right in
                guard left.count == right.count else { return false }
                for index in 0..<left.count where ASCII.lowercased(left[index]) != ASCII.lowercased(right[index]) {
                    return false
                }
                return true
            }
        }
    }
}
