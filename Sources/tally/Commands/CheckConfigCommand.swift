import Foundation
import TallyServer

/// `tally check-config [PATH]`: lists every problem of a configuration file with its JSON path.
enum CheckConfigCommand {
    static let usage = "tally check-config [PATH]   (default: config/tally.json)"

    static func run(_ arguments: [String]) throws(UsageError) -> Int32 {
        guard arguments.count <= 1, arguments.first?.hasPrefix("--") != true else {
            throw UsageError("check-config takes one optional path")
        }
        let path = arguments.first ?? ServerConfiguration.defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            printError("\(path): cannot be read")
            return 1
        }
        do throws(ServerConfiguration.Problems) {
            // The environment is left out on purpose: this checks the file itself.
            let configuration = try ServerConfiguration.load(path: path, environment: [:])
            let catalog = configuration.catalog
            print("\(path): valid (\(catalog.plans.count) plans, \(catalog.packs.count) packs, \(catalog.operations.count) operations)")
            return 0
        } catch {
            for problem in error.list { print(problem) }
            return 1
        }
    }
}
