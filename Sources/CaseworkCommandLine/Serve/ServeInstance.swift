import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkSQLite
import CaseworkServer
import CaseworkStore
import Dispatch
import Foundation
import Synchronization

/// A running `casework serve`: the definitions loaded, the store open behind a ``CaseService``, the auth file read,
/// and the HTTP server answering with the ``APIService``. The command runs one until a signal; tests run one on a
/// free port.
final class ServeInstance: Sendable {
    /// What a server is started from.
    struct Options: Sendable {
        /// The store, as `--db` names one (``StoreLocation``).
        var database: String
        /// The definition paths.
        var definitions: [String]
        /// The definition cache, unless turned off.
        var cache: DefinitionCache?
        /// The auth file.
        var authPath: String
        /// Whether a missing store may be created.
        var create: Bool
        /// Where to listen and the limits.
        var settings: HTTPServerSettings
        /// How long a request may take before it is answered 503 `timeout` (`--request-timeout`); nil for no limit.
        var requestTimeout: Duration? = .seconds(30)
        /// How often the server ticks the store itself (`--tick-every`); nil when a scheduler calls `POST /v1/tick`.
        var tickEvery: Duration?
        /// Where the server says what went wrong after it started (a tick the store refused).
        var report: @Sendable (String) -> Void = { _ in }
    }

    /// The HTTP server.
    let server: HTTPServer
    /// The API it answers with.
    let api: APIService
    private let ticker: ServeTicker?
    private let report: @Sendable (String) -> Void

    /// Loads everything `options` names and starts listening; nothing is left running when it throws. With `--create`
    /// the port is bound before the store is made, so a start that cannot listen (the port taken) creates no store; a
    /// request arriving in the moment between is answered 503 `unavailable`.
    init(_ options: Options) throws(ServeError) {
        let catalog: DefinitionCatalog
        do throws(EngineError) {
            catalog = try DefinitionCatalog.load(paths: options.definitions, cache: options.cache)
        } catch {
            throw .engine(error)
        }
        let auth: ServiceAuthFile
        do throws(ServiceAuthFileError) {
            auth = try ServiceAuthFile.load(path: options.authPath, catalog: catalog)
        } catch {
            throw .auth(error)
        }
        // Without --create, opening the store creates nothing, so it is opened first and a missing store is reported
        // whatever the port; with it, the port is bound first, so a start that cannot listen creates no store.
        let opened: CaseService? = options.create ? nil : try Self.openStore(options, catalog: catalog)
        let metrics = ServiceMetrics()
        let ready = StartingAPI()
        let server: HTTPServer
        let secure = options.settings.tls != nil
        do throws(HTTPServerError) {
            server = try HTTPServer(settings: options.settings, handler: { request in
                guard let api = ready.api else {
                    return APIProblem(status: 503, code: RefusalCode.unavailable.rawValue, detail: "the server is starting; try again",
                                      headers: [("Retry-After", "1")]).response
                }
                return await api.answer(request, secure: secure)
            }, refusal: { refusal in
                switch refusal {
                case .bodyTooLarge(let limit):
                    let problem = APIProblem.tooLarge(limit: limit)
                    metrics.recordRequest(route: "unmatched", status: problem.status, seconds: 0, refusal: problem.code)
                    return problem.response
                }
            })
        } catch {
            throw .server(error)
        }
        let cases: CaseService
        if let opened {
            cases = opened
        } else {
            do throws(ServeError) {
                cases = try Self.openStore(options, catalog: catalog)
            } catch {
                server.shutdown()
                throw error
            }
        }
        let api = APIService(cases: cases, auth: auth, metrics: metrics, requestTimeout: options.requestTimeout)
        ready.api = api
        self.server = server
        self.api = api
        ticker = options.tickEvery.map { ServeTicker(every: $0, api: api, report: options.report) }
        report = options.report
    }

    /// Reads the identity providers' JWKS files again, as `SIGHUP` asks, and says in the report what each came to; a
    /// file that cannot be used keeps its issuer's keys from before. Requests go on being answered meanwhile.
    @discardableResult
    func reloadKeys() -> [KeyReload] {
        let reloads = api.auth.reloadKeys()
        for reload in reloads { report(reload.line) }
        if reloads.isEmpty { report("casework serve: the auth file names no issuer, so there are no JWKS files to reload") }
        return reloads
    }

    /// The store `options` names behind a ``CaseService``, created when `--create` allows.
    private static func openStore(_ options: Options, catalog: DefinitionCatalog) throws(ServeError) -> CaseService {
        let store: any CaseStore
        do throws(StoreError) {
            store = try EngineOptions.open(options.database, options.create ? .create : .readWrite, servingConcurrently: true)
        } catch {
            throw .engine(.store(error))
        }
        do throws(EngineError) {
            return try AsyncBridge.wait { () async throws(EngineError) in try await CaseService(catalog: catalog, driver: BlockingStoreDriver(store)) }
        } catch {
            throw .engine(error)
        }
    }

    /// The URL the server answers on, with the port it listens on.
    var url: String {
        let address = server.settings.address
        let host = address.isIPv6 ? "[\(address.host)]" : address.host
        return "\(server.settings.tls == nil ? "http" : "https")://\(host):\(server.port)"
    }

    /// Stops the clock, stops accepting, lets the requests in flight finish, and stops the server; the store closes
    /// when the last reference to the instance goes.
    func stop() {
        ticker?.stop(waiting: server.settings.drainSeconds)
        server.shutdown()
    }
}

/// The API once the store is open, for requests that arrive while it opens; nil until then.
private final class StartingAPI: Sendable {
    private let slot = Mutex<APIService?>(nil)

    var api: APIService? {
        get { slot.withLock { $0 } }
        set { slot.withLock { $0 = newValue } }
    }
}

/// Why `casework serve` could not start, each rendered in one place (``ServeCommand``).
enum ServeError: Error, Sendable {
    /// The definitions or the store refused.
    case engine(EngineError)
    /// The auth file cannot be used.
    case auth(ServiceAuthFileError)
    /// The server could not listen.
    case server(HTTPServerError)
}

/// Runs async work from synchronous code and waits for it, on a thread that is not one of Swift concurrency's (the
/// main thread of `casework serve`, libFuzzer's thread in the API's fuzz targets), so the wait never holds the pool
/// the work needs.
package enum AsyncBridge {
    /// What `body` returned or threw, once it has run to its end.
    package static func result<T: Sendable, E: Error>(_ body: @escaping @Sendable () async throws(E) -> T) -> Result<T, E> {
        let outcome = Mutex<Result<T, E>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, E>
            do throws(E) {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { preconditionFailure("the task stores its outcome before it signals") }
        return result
    }

    /// What `body` returned, once it has run to its end; what it threw, thrown again.
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws(EngineError) -> T) throws(EngineError) -> T {
        try result(body).get()
    }
}
