/// Runs the jobs of request handler tasks on their event loop's thread.
///
/// A handler task prefers this executor, so parsing, the handler's synchronous work and writing
/// the answer happen on one thread: no hop to the cooperative pool and back per request. A
/// task that resumes from another thread (the commit writer, a reader) is queued through the
/// loop's mailbox, and one eventfd write wakes the loop for every job queued while it slept.
/// Handlers therefore must never block, which the engine already guarantees by keeping SQLite
/// on its own threads.
final class LoopExecutor: TaskExecutor {
    private let mailbox: Mailbox

    init(mailbox: Mailbox) {
        self.mailbox = mailbox
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        // Once the loop has stopped nothing would run the job, so the shared pool finishes it.
        if !mailbox.post(.run(unowned)) { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Runs one job the mailbox delivered; called only on the loop thread.
    func run(_ job: UnownedJob) {
        job.runSynchronously(on: asUnownedTaskExecutor())
    }
}
