import Foundation

/// The `tally` command: dispatches to a subcommand and exits with its status.
let commandLine = Array(CommandLine.arguments.dropFirst())
let subcommand = commandLine.first ?? "help"
let rest = Array(commandLine.dropFirst())

let usage = """
    usage: tally <command> [options]

    commands:
      \(ServeCommand.usage)
      \(TokensCommand.usage)
      \(CheckConfigCommand.usage)
      \(VerifyCommand.usage)
      \(BenchCommand.usage)
      \(ChurnCommand.usage)
      \(BackupCommand.usage)
      tally version
      tally help
    """

do throws(UsageError) {
    let status: Int32
    switch subcommand {
    case "serve":
        status = try await ServeCommand.run(Arguments(rest, flagNames: ServeCommand.flags))
    case "tokens":
        status = try TokensCommand.run(rest)
    case "check-config":
        status = try CheckConfigCommand.run(rest)
    case "verify":
        status = try VerifyCommand.run(Arguments(rest, flagNames: []))
    case "bench":
        status = try await BenchCommand.run(Arguments(rest, flagNames: BenchCommand.flags))
    case "backup":
        status = try BackupCommand.run(rest)
    case "churn":
        status = try await ChurnCommand.run(Arguments(rest, flagNames: []))
    case "version", "--version":
        print("tally \(TallyVersion.current)")
        status = 0
    case "help", "--help", "-h":
        print(usage)
        status = 0
    default:
        throw UsageError("unknown command '\(subcommand)'")
    }
    exit(status)
} catch {
    printError("tally: \(error.message)\n\n\(usage)")
    exit(2)
}
