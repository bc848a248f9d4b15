/// What sends webhook attempts: ``DeliveryClient`` (libcurl) in a server, anything a test
/// scripts in tests, so the dispatcher's rules can be checked without sockets or real time.
public protocol WebhookTransport: Sendable {
    /// Sends one attempt; `completion` runs once with its result, on any thread.
    func submit(_ request: DeliveryRequest, completion: @escaping @Sendable (DeliveryResult) -> Void)

    /// Ends what is in flight (their completions report it) and stops; blocks until done.
    func shutdown()
}

extension DeliveryClient: WebhookTransport {}
