import CMicroHTTPD
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server over libmicrohttpd that knows only requests and responses: each request, read whole (headers,
/// then a body up to the limit), is handed to one handler, and its answer is sent back.
///
/// Threading: libmicrohttpd runs a pool of ``HTTPServerSettings/workers`` threads, each polling its share of the
/// connections with epoll. A worker that has read a whole request starts the handler as a Swift task and waits for
/// its answer, so at most `workers` requests are answered at once and the handler's awaits never hold one of Swift
/// concurrency's threads. The limits on connections, idle time, header memory and body size are libmicrohttpd's
/// own options, except the body limit, which the server keeps as it gathers the body.
///
/// ``shutdown()`` stops accepting, waits for the requests in flight to be answered (at most
/// ``HTTPServerSettings/drainSeconds``), then closes every connection and stops the workers.
public final class HTTPServer: Sendable {
    /// Works out the answer to one request.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// The settings the server was started with.
    public let settings: HTTPServerSettings
    /// The port the server listens on: the one asked for, or the one the system chose for port 0.
    public let port: UInt16
    private let core: ServerCore
    private let daemon: Mutex<Daemon?>

    /// Starts a server with `settings` that answers every request with `handler`, and what it refuses itself with `refusal`.
    public init(settings: HTTPServerSettings, handler: @escaping Handler, refusal: @escaping @Sendable (HTTPRefusal) -> HTTPResponse) throws(HTTPServerError) {
        for (name, value, range) in [("workers", settings.workers, 1...256), ("connections", settings.maxConnections, 1...65_536),
                                     ("idle timeout", settings.idleTimeoutSeconds, 1...86_400), ("header limit", settings.maxHeaderBytes, 4_096...1_048_576),
                                     ("body limit", settings.maxBodyBytes, 0...1_073_741_824), ("drain", settings.drainSeconds, 0...3_600)]
        where !range.contains(value) {
            throw .invalidSetting(name: name, reason: "must be from \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
        // libmicrohttpd shares the connection limit out among its workers, so each must have at least one.
        guard settings.maxConnections >= settings.workers else {
            throw .invalidSetting(name: "connections", reason: "must be at least the number of workers (\(settings.workers)), not \(settings.maxConnections)")
        }
        if settings.tls != nil, MHD_is_feature_supported(.FEATURE_TLS) != .YES { throw .tlsUnavailable }
        // A client that goes away mid-answer must not end the process.
        signal(SIGPIPE, SIG_IGN)
        let core = ServerCore(handler: handler, refusal: refusal, maxBodyBytes: settings.maxBodyBytes)
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ITC.rawValue
        if settings.tls != nil { flags |= MHD_USE_TLS.rawValue }
        if settings.address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        let context = Unmanaged.passRetained(core).toOpaque()
        let started: OpaquePointer? = settings.address.withSocketAddress { address in
            Self.withOptionalCString(settings.tls?.privateKey) { key in
                Self.withOptionalCString(settings.tls?.certificate) { certificate in
                    casework_mhd_start(flags, address, UInt32(settings.workers), UInt32(settings.maxConnections), UInt32(settings.idleTimeoutSeconds),
                                       settings.maxHeaderBytes, key, certificate, { cls, connection, url, method, _, upload, uploadSize, state in
                        guard let cls, let connection, let url, let method, let uploadSize, let state else { return .NO }
                        return Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
                            .access(connection, url: url, method: method, upload: upload, uploadSize: uploadSize, state: state)
                    }, context, { cls, _, state, _ in
                        guard let cls, let state else { return }
                        Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue().completed(state)
                    }, context)
                }
            }
        }
        guard let started else {
            Unmanaged<ServerCore>.fromOpaque(context).release()
            throw .cannotListen(settings.address)
        }
        self.settings = settings
        self.core = core
        self.port = casework_mhd_port(started)
        self.daemon = Mutex(Daemon(pointer: started, context: context))
    }

    /// Stops the server: no new connections, the requests in flight answered (for at most the drain time), then every
    /// connection closed and the workers stopped. Returns when it is done; a second call does nothing.
    public func shutdown() {
        guard let daemon = daemon.withLock({ current -> Daemon? in
            defer { current = nil }
            return current
        }) else { return }
        let listener = MHD_quiesce_daemon(daemon.pointer)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(settings.drainSeconds) * 1_000_000_000
        while core.inFlight > 0 && DispatchTime.now().uptimeNanoseconds < deadline { usleep(5_000) }
        MHD_stop_daemon(daemon.pointer)
        if listener >= 0 { close(listener) }
        Unmanaged<ServerCore>.fromOpaque(daemon.context).release()
    }

    deinit { shutdown() }

    private static func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }
}

/// A running libmicrohttpd daemon and the retained ``ServerCore`` its callbacks are given.
private struct Daemon: @unchecked Sendable {
    // Unchecked: the pointers are only ever used by ``HTTPServer/shutdown()``, which takes them out of the server's
    // mutex first, so one thread at most uses them, once; libmicrohttpd's own threads reach the core through their copy.
    let pointer: OpaquePointer
    let context: UnsafeMutableRawPointer
}
