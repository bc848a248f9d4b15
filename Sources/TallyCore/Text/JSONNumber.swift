/// Reads JSON number literals exactly, digit by digit, never through a floating-point value.
public enum JSONNumber {
    /// The integer `literal` denotes exactly (`-12`, `8928.0`, `1.5e3`); nil when it has a
    /// non-zero fraction or lies outside Int64.
    public static func exactInteger(_ literal: String) -> Int64? {
        var text = Substring(literal)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "E", maxSplits: 1, omittingEmptySubsequences: false) }
        guard (1...2).contains(parts.count) else { return nil }
        var exponent = 0
        if parts.count == 2 {
            // Beyond ±400 no literal of a sane length can still be an Int64 (or a non-zero one).
            guard let value = Int(parts[1]), (-400...400).contains(value) else { return nil }
            exponent = value
        }
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = mantissa.first, !whole.isEmpty else { return nil }
        let fraction = mantissa.count == 2 ? mantissa[1] : ""
        guard mantissa.count == 1 || !fraction.isEmpty else { return nil }
        var digits = Array((whole + fraction).utf8)
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var scale = exponent - fraction.count
        if scale < 0 {
            // The digits past the point are the fraction: they must all be zeros.
            let dropped = min(-scale, digits.count)
            guard digits.suffix(dropped).allSatisfy({ $0 == 0x30 }) else { return nil }
            digits.removeLast(dropped)
            scale = 0
        }
        while digits.first == 0x30 { digits.removeFirst() }
        if digits.isEmpty { return 0 }
        guard digits.count + scale <= 19 else { return nil }
        digits += Array(repeating: 0x30, count: scale)
        var magnitude: UInt64 = 0
        for digit in digits {
            let (times, overflowA) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(UInt64(digit - 0x30))
            guard !overflowA, !overflowB else { return nil }
            magnitude = sum
        }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
