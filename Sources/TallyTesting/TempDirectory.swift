import Foundation

/// A unique directory under the system's temporary directory; `remove()` deletes it with
/// everything in it.
public struct TempDirectory: Sendable {
    public let url: URL

    /// Creates the directory, its name starting `tally-tests-`.
    public init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tally-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Deletes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// One test's database file, alone in a temporary directory; `remove()` deletes both.
public struct TempDatabase: Sendable {
    /// The directory holding the database, for files that go beside it.
    public let directory: TempDirectory

    /// The database file's path.
    public var path: String { directory.path("tally.sqlite") }

    /// Creates the directory; the database file is left for the test to create.
    public init() throws { directory = try TempDirectory() }

    /// Deletes the database with its directory.
    public func remove() { directory.remove() }
}
