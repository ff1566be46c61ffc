import CMicroHTTPD
import Synchronization

/// What libmicrohttpd's callbacks reach: the handler, the body limit, and the count of requests in flight.
///
/// libmicrohttpd calls ``access(_:url:method:upload:uploadSize:state:)`` several times for each request on the worker
/// thread that owns its connection: first when the headers are in, then with each piece of the body, then once more
/// with nothing, when the request is whole and must be answered.
final class ServerCore: Sendable {
    private let handler: HTTPServer.Handler
    private let refusal: @Sendable (HTTPRefusal) -> HTTPResponse
    private let maxBodyBytes: Int
    private let flight = Atomic<Int>(0)

    init(handler: @escaping HTTPServer.Handler, refusal: @escaping @Sendable (HTTPRefusal) -> HTTPResponse, maxBodyBytes: Int) {
        self.handler = handler
        self.refusal = refusal
        self.maxBodyBytes = maxBodyBytes
    }

    /// How many requests have begun and not yet been answered and finished.
    var inFlight: Int { flight.load(ordering: .acquiring) }

    /// One call of libmicrohttpd's access handler.
    func access(
        _ connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>, upload: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>, state slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let existing = slot.pointee else {
            let state = RequestState()
            slot.pointee = Unmanaged.passRetained(state).toOpaque()
            flight.add(1, ordering: .relaxed)
            let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length").flatMap { Int(String(cString: $0)) }
            if let declared, declared > maxBodyBytes {
                // Refused before a byte of the body is read; libmicrohttpd then reads no more from this connection.
                state.answered = true
                return queue(refusal(.bodyTooLarge(limit: maxBodyBytes)), on: connection)
            }
            return .YES
        }
        let state = Unmanaged<RequestState>.fromOpaque(existing).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            let count = uploadSize.pointee
            if !state.overLimit, !state.answered, let upload {
                if state.body.count + count > maxBodyBytes {
                    state.overLimit = true
                    state.body = []
                } else {
                    upload.withMemoryRebound(to: UInt8.self, capacity: count) { state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
                }
            }
            uploadSize.pointee = 0
            return .YES
        }
        if state.answered { return .YES }
        state.answered = true
        if state.overLimit { return queue(refusal(.bodyTooLarge(limit: maxBodyBytes)), on: connection) }
        let request = HTTPRequest(method: String(cString: method), path: String(cString: url),
                                  query: Self.values(of: connection, kind: .GET_ARGUMENT_KIND),
                                  headers: Self.values(of: connection, kind: .HEADER_KIND), body: state.body)
        state.body = []
        let answer = ResponseSlot()
        let handler = self.handler
        // A worker is waiting on this task, holding its connections: it goes ahead of work nobody is waiting for.
        Task(priority: .high) { answer.fill(await handler(request)) }
        return queue(answer.wait(), on: connection)
    }

    /// libmicrohttpd's word that a request is done (answered, or its connection gone): its state is released.
    func completed(_ slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        guard let existing = slot.pointee else { return }
        slot.pointee = nil
        Unmanaged<RequestState>.fromOpaque(existing).release()
        flight.subtract(1, ordering: .releasing)
    }

    /// Queues `response` on `connection`, its body copied.
    private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let made = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let made else { return .NO }
        defer { MHD_destroy_response(made) }
        for (name, value) in response.headers { _ = MHD_add_response_header(made, name, value) }
        return MHD_queue_response(connection, UInt32(response.status), made)
    }

    /// The header lines or query arguments of the request on `connection`, in the order sent.
    private static func values(of connection: OpaquePointer, kind: MHD_ValueKind) -> [(name: String, value: String)] {
        final class Collected { var pairs: [(name: String, value: String)] = [] }
        let collected = Collected()
        _ = withExtendedLifetime(collected) {
            MHD_get_connection_values(connection, kind, { cls, _, key, value in
                guard let cls, let key else { return .YES }
                Unmanaged<Collected>.fromOpaque(cls).takeUnretainedValue().pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
                return .YES
            }, Unmanaged.passUnretained(collected).toOpaque())
        }
        return collected.pairs
    }
}
