import Dispatch
import Foundation
import TallyEngine
import TallyHTTP
import TallyServer
import TallyStore

/// `tally serve [--config PATH] [--test-clock]`: runs the v1 HTTP API until SIGTERM or SIGINT,
/// then drains.
enum ServeCommand {
    static let usage = "tally serve [--config PATH] [--test-clock]"
    static let flags: Set<String> = ["test-clock"]

    static func run(_ arguments: Arguments) async throws(UsageError) -> Int32 {
        if let unknown = arguments.unknown(besides: ["config", "test-clock"]).first {
            throw UsageError("unknown option --\(unknown)")
        }
        let settings: ServerConfiguration
        do throws(ServerConfiguration.Problems) {
            settings = try ServerConfiguration.load(
                path: arguments.string("config"), environment: ProcessInfo.processInfo.environment)
        } catch {
            printError("tally serve: invalid configuration:\n\(error)")
            return 1
        }
        do {
            try await serve(settings, testClock: arguments.flag("test-clock"))
            return 0
        } catch {
            printError("tally serve: \(error)")
            return 1
        }
    }

    private static func serve(_ settings: ServerConfiguration, testClock useTestClock: Bool) async throws {
        // The test clock starts where it last stood on this database (else at the real time) and
        // then stands still until advanced.
        var testClock: ManualClock?
        if useTestClock {
            let nowMs = SystemClock().nowMs()
            let stored = try Store.openForAdministration(path: settings.database, nowMs: nowMs).testClockMs()
            testClock = ManualClock(startMs: max(nowMs, stored ?? nowMs))
        }
        let engine = try Engine(
            configuration: EngineConfiguration(
                store: StoreConfiguration(path: settings.database, durability: settings.durability),
                catalog: settings.catalog,
                idempotencyRetentionMs: Int64(settings.idempotencyRetentionHours) * 3_600_000,
                defaultHoldTTLMs: Int64(settings.holdTTLSeconds) * 1_000, alerts: settings.alerts,
                webhooks: settings.webhooks, idempotencyKeyBytes: settings.idempotencyMemoryMB << 20,
                idempotencyFilterBytes: settings.idempotencyFilterMB << 20, retention: settings.retention),
            clock: testClock ?? SystemClock())
        let tokens = ServiceTokens(adminToken: settings.adminToken)
        let log = AccessLog()
        do {
            try await tokens.reload(from: engine)
        } catch {
            await engine.close()
            throw error
        }
        let api = TallyAPI(engine: engine, tokens: tokens, log: log, testClock: testClock, gateway: settings.gateway)
        let server = api.makeServer(configuration: HTTPServerConfiguration(host: settings.host, port: settings.port))
        let port: Int
        do {
            port = try server.start()
        } catch {
            await engine.close()
            throw error
        }
        let shownHost = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        printNow("tally listening on http://\(shownHost):\(port)")
        // Tokens made or revoked with `tally tokens` take effect within two seconds.
        let refresher = Task.detached {
            while true {
                do { try await Task.sleep(for: .seconds(2)) } catch { return }
                do {
                    try await tokens.reload(from: engine)
                } catch {
                    log.event("could not reload service tokens: \(error)", level: "error")
                }
            }
        }
        let signal = await waitForTermination()
        log.event("\(signal) received, draining")
        api.beginDrain()
        await server.shutdown()
        refresher.cancel()
        await refresher.value
        await engine.close()
        log.close()
    }

    /// Waits for SIGTERM or SIGINT and names the one that came; later signals are ignored.
    private static func waitForTermination() async -> String {
        let (signals, continuation) = AsyncStream.makeStream(of: String.self)
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        var iterator = signals.makeAsyncIterator()
        let name = await iterator.next() ?? "SIGTERM"
        for source in sources { source.cancel() }
        return name
    }
}
