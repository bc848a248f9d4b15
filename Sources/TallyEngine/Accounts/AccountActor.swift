import TallyCore
import TallyStore

/// The single owner of one account's state: every operation on the account runs here, one at a
/// time, and checks, decides and applies with no suspension in between.
///
/// The actor answers only after the store has made the change durable; meanwhile later requests
/// proceed against the new in-memory state, which is what lets one hot account keep the
/// group-commit writer busy.
actor AccountActor {
    enum Phase { case unloaded, missing, live }

    let id: String
    let context: EngineContext
    var phase: Phase = .unloaded
    var state: AccountState
    var keys = KeyIndex(loaded: [])
    private var loadTask: Task<StoreError?, Never>?
    private var needsReload = false
    private var resumeOnNextWrite = false
    private var generation = 0
    private var inFlight = 0
    private var retired = false
    private(set) var lastUsedUptimeMs = EngineContext.uptimeMs()
    /// Holds settled while loaded, so a late capture or void gets the right status.
    var settledHolds: [HoldID: HoldStatus] = [:]
    /// Debits refunded while loaded, newer than what storage may show to a concurrent reader.
    var refundedDebits: [Int64: DebitRecord] = [:]

    init(id: String, context: EngineContext) {
        self.id = id
        self.context = context
        self.state = AccountState(account: Account(id: id, createdAtMs: 0))
    }

    /// Loads the account if needed; fails with `retired` once evicted.
    func prepare() async throws(ActorFailure) {
        guard !retired else { throw .retired }
        lastUsedUptimeMs = EngineContext.uptimeMs()
        while phase == .unloaded || needsReload {
            let task = loadTask ?? startLoad()
            if let error = await task.value { throw .engine(.storage(error)) }
        }
    }

    private func startLoad() -> Task<StoreError?, Never> {
        let task = Task { await self.loadAndInstall() }
        loadTask = task
        return task
    }

    private func loadAndInstall() async -> StoreError? {
        defer { loadTask = nil }
        let id = self.id
        let keysSinceMs = context.clock.nowMs() - context.configuration.idempotencyRetentionMs
        do throws(StoreError) {
            let snapshot = try await context.store.readers.read { connection throws(StoreError) in
                try connection.loadAccount(id: id, keysSinceMs: keysSinceMs)
            }
            install(snapshot)
            return nil
        } catch {
            return error
        }
    }

    private func install(_ snapshot: AccountSnapshot?) {
        if let snapshot {
            state = snapshot.state
            keys = KeyIndex(loaded: snapshot.idempotencyKeys)
            phase = .live
        } else {
            state = AccountState(account: Account(id: id, createdAtMs: 0))
            keys = KeyIndex(loaded: [])
            phase = .missing
        }
        resumeOnNextWrite = needsReload || resumeOnNextWrite
        needsReload = false
        generation += 1
        settledHolds = [:]
        refundedDebits = [:]
    }

    /// Marks the actor evicted if nothing is running or loading and it has been idle long enough.
    func retireIfIdle(nowUptimeMs: Int64, idleMs: Int64) -> Bool {
        guard inFlight == 0, loadTask == nil, nowUptimeMs - lastUsedUptimeMs >= idleMs else { return false }
        retired = true
        return true
    }

    /// Runs a rule under an optional idempotency key and waits until its outcome is durable.
    ///
    /// Everything from the key check to the submission to the writer is synchronous; the only
    /// suspension is the wait for the commit (and, for a replay, the read of the stored answer).
    func perform<Value: Sendable>(
        _ request: KeyedRequest?, replay: (RecordedOutcome) -> Value?,
        rule: (inout AccountState, inout RuleContext<AllocatedIDs>) throws(Rejection) -> RuleStep<Value>
    ) async throws(ActorFailure) -> Replayable<Value> {
        try await prepare()
        let nowMs = context.clock.nowMs()
        keys.expire(beforeMs: nowMs - context.configuration.idempotencyRetentionMs)
        if let request, let earlier = keys[request.key] {
            return try await replayOutcome(of: request, earlier: earlier, decode: replay)
        }
        guard phase == .live else { throw .engine(.rejected(.accountNotFound)) }
        guard context.store.writer.hasCapacity else { throw .engine(.overloaded) }
        var ruleContext = RuleContext(nowMs: nowMs, ids: AllocatedIDs(allocator: context.ids))
        let before = StoreChanges.Before(state)
        let expired = state.expire(context: &ruleContext)
        for entry in expired where entry.kind == .release {
            if let holdID = entry.referenceID { settledHolds[holdID] = .expired }
        }
        let outcome: Result<RuleStep<Value>, Rejection>
        do throws(Rejection) {
            outcome = .success(try rule(&state, &ruleContext))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let step):
            let entries = expired + step.entries
            let changes = StoreChanges.derive(entries: entries, before: before, after: state) + step.extraChanges
            try await commit(changes, request: request, recorded: step.recorded, nowMs: nowMs)
            return Replayable(value: step.value, replayed: false)
        case .failure(let rejection):
            if request != nil || !expired.isEmpty {
                let changes = StoreChanges.derive(entries: expired, before: before, after: state)
                try await commit(changes, request: request, recorded: .rejection(rejection), nowMs: nowMs)
            }
            throw .engine(.rejected(rejection))
        }
    }

    /// Submits changes (plus the idempotency record) and waits for the commit.
    func commit(
        _ changes: [StoreChange], request: KeyedRequest?, recorded: RecordedOutcome, nowMs: Int64
    ) async throws(ActorFailure) {
        var changes = changes
        if let request {
            let stampedEntry = Self.stamp(&changes, request: request, recorded: recorded)
            keys.begin(request.key, fingerprint: request.fingerprint, atMs: nowMs, entryID: stampedEntry)
            if stampedEntry == nil {
                changes.append(.putIdempotency(IdempotencyRecord(
                    account: id, key: request.key, fingerprint: request.fingerprint,
                    response: recorded.encoded(), createdAtMs: nowMs)))
            }
        }
        let submittedGeneration = generation
        let resumes = resumeOnNextWrite
        resumeOnNextWrite = false
        inFlight += 1
        let result: Result<Void, StoreError> = await withCheckedContinuation { continuation in
            context.store.writer.submit(
                StoreMutation(account: id, changes: changes, resumesAccount: resumes) { result in
                    continuation.resume(returning: result)
                })
        }
        inFlight -= 1
        guard submittedGeneration == generation else {
            if case .failure(let error) = result { throw .engine(.storage(error)) }
            return
        }
        switch result {
        case .success:
            if let request { keys.finish(request.key, committed: true) }
        case .failure(let error):
            // Memory ran ahead of disk: reload before serving this account again.
            if let request { keys.finish(request.key, committed: false) }
            needsReload = true
            throw .engine(.storage(error))
        }
    }

    /// Puts the key into the row of the entry the request made (the last one appended), unless
    /// the outcome is a rejection, which made no entry of its own; returns that entry's id.
    private static func stamp(_ changes: inout [StoreChange], request: KeyedRequest, recorded: RecordedOutcome) -> Int64? {
        if case .rejection = recorded { return nil }
        guard let index = changes.lastIndex(where: { if case .appendEntry = $0 { true } else { false } }),
            case .appendEntry(var row) = changes[index]
        else { return nil }
        row.stamp = IdempotencyStamp(key: request.key, fingerprint: request.fingerprint, response: recorded.encoded())
        changes[index] = .appendEntry(row)
        return row.entry.id
    }

    private func replayOutcome<Value>(
        of request: KeyedRequest, earlier: KeyIndex.Entry, decode: (RecordedOutcome) -> Value?
    ) async throws(ActorFailure) -> Replayable<Value> {
        guard earlier.fingerprint == request.fingerprint else { throw .engine(.rejected(.idempotencyKeyReused)) }
        guard !earlier.inFlight else { throw .engine(.rejected(.idempotencyKeyInFlight)) }
        let id = self.id
        let key = request.key
        let entryID = earlier.entryID
        let stored: [UInt8]?
        do throws(StoreError) {
            stored = try await context.store.readers.read { connection throws(StoreError) in
                try connection.idempotencyResponse(account: id, key: key, entryID: entryID)
            }
        } catch {
            throw .engine(.storage(error))
        }
        guard let stored, let outcome = RecordedOutcome.decode(stored) else {
            throw .engine(.storage(.corrupt("idempotency record for key \(key)")))
        }
        if case .rejection(let rejection) = outcome { throw .engine(.rejected(rejection)) }
        guard let value = decode(outcome) else { throw .engine(.rejected(.idempotencyKeyReused)) }
        return Replayable(value: value, replayed: true)
    }
}
