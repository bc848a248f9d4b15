import Glibc

/// The IMF-fixdate for the Date header, formatted at most once per second per loop.
struct HTTPDate {
    private var second = -1
    /// The bytes of the current date, such as `Wed, 25 Nov 2026 17:00:41 GMT`.
    private(set) var bytes: [UInt8] = []

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Reformats the date when the wall-clock second has changed.
    mutating func refresh() {
        var now = time(nil)
        guard Int(now) != second else { return }
        second = Int(now)
        var parts = tm()
        gmtime_r(&now, &parts)
        let text = "\(Self.weekdays[Int(parts.tm_wday)]), \(Self.twoDigits(parts.tm_mday)) \(Self.months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(Self.twoDigits(parts.tm_hour)):\(Self.twoDigits(parts.tm_min)):\(Self.twoDigits(parts.tm_sec)) GMT"
        bytes = Array(text.utf8)
    }

    private static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
