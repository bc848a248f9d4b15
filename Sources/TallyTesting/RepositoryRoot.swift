import Foundation

/// The repository's root, found from this file's path, for tests that read its checked-in files.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
