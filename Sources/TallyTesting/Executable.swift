import Foundation

/// Finds an executable of this package built beside the running program or test bundle.
public enum Executable {
    /// The directories a search starts from, walking up from each: the bundle, the program's own
    /// directory and that of `argv[0]`.
    static var searchStarts: [URL] {
        var starts = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        if let first = CommandLine.arguments.first {
            starts.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        return starts
    }

    /// The executable `name`: the path in the environment variable `override` when it is set,
    /// else the first regular executable file of that name found walking up to five directories
    /// from each of `searchStarts`.
    public static func locate(_ name: String, override: String) -> URL? {
        if let explicit = ProcessInfo.processInfo.environment[override] { return URL(fileURLWithPath: explicit) }
        for start in searchStarts {
            var directory = start.standardizedFileURL
            for _ in 0..<5 {
                let candidate = directory.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }
}

extension Executable {
    /// The `tally` executable (`TALLY_BINARY` overrides the search).
    public static func tally() throws -> URL { try require("tally", override: "TALLY_BINARY") }

    /// The executable `name` as `locate` finds it, or an error that says how to build it.
    public static func require(_ name: String, override: String) throws -> URL {
        guard let url = locate(name, override: override) else {
            throw ChildProcessError(detail: """
                the `\(name)` executable was not found near the test bundle (searched upward from \
                \(searchStarts.map(\.path))); build it with `swift build` before `swift test`, or set \(override)
                """)
        }
        return url
    }
}
