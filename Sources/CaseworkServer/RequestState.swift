import Dispatch
import Synchronization

/// What the server gathers of one request between libmicrohttpd's calls: the body so far and whether it was cut off.
///
/// Held by libmicrohttpd for the request (its `con_cls`), touched only by the worker thread serving the connection,
/// one call after another, and released when libmicrohttpd says the request is done.
final class RequestState {
    /// The body's bytes, while within the limit.
    var body: [UInt8] = []
    /// Whether the body passed the limit; its bytes are then read and dropped, and the request answered 413.
    var overLimit = false
    /// Whether a response was queued already (a body refused from its `Content-Length`).
    var answered = false
}

/// The answer to one request, handed from the task that worked it out to the worker thread that waits for it.
final class ResponseSlot: Sendable {
    private let value = Mutex<HTTPResponse?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    /// Stores the answer and wakes the waiting worker.
    func fill(_ response: HTTPResponse) {
        value.withLock { $0 = response }
        ready.signal()
    }

    /// Waits for the answer; the slot is filled before it is signalled, so the 500 is never sent.
    func wait() -> HTTPResponse {
        ready.wait()
        return value.withLock { $0 } ?? HTTPResponse(status: 500)
    }
}
