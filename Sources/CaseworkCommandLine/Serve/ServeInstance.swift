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
    }

    /// The HTTP server.
    let server: HTTPServer
    /// The API it answers with.
    let api: APIService

    /// Loads everything `options` names and starts listening; nothing is left running when it throws.
    init(_ options: Options) throws(ServeError) {
        let catalog: DefinitionCatalog
        do throws(EngineError) {
            catalog = try DefinitionCatalog.load(paths: options.definitions, cache: options.cache)
        } catch {
            throw .engine(error)
        }
        // The auth file is read before the store is opened, so a server that cannot start creates nothing.
        let auth: ServiceAuthFile
        do throws(ServiceAuthFileError) {
            auth = try ServiceAuthFile.load(path: options.authPath, catalog: catalog)
        } catch {
            throw .auth(error)
        }
        let store: any CaseStore
        do throws(StoreError) {
            store = try EngineOptions.open(options.database, options.create ? .create : .readWrite)
        } catch {
            throw .engine(.store(error))
        }
        let cases: CaseService
        do throws(EngineError) {
            cases = try AsyncBridge.wait { () async throws(EngineError) in try await CaseService(catalog: catalog, driver: BlockingStoreDriver(store)) }
        } catch {
            throw .engine(error)
        }
        let api = APIService(cases: cases, auth: auth)
        do throws(HTTPServerError) {
            let secure = options.settings.tls != nil
            // The case desk's pages (``Desk``) call the API in process; every other path is the API's.
            server = try HTTPServer(settings: options.settings, handler: { request in
                                        Desk.owns(request.path) ? await Desk.handle(api, request, secure: secure) : await api.handle(request)
                                    },
                                    refusal: { refusal in
                                        switch refusal {
                                        case .bodyTooLarge(let limit): APIProblem.tooLarge(limit: limit).response
                                        }
                                    })
        } catch {
            throw .server(error)
        }
        self.api = api
    }

    /// The URL the server answers on, with the port it listens on.
    var url: String {
        let address = server.settings.address
        let host = address.isIPv6 ? "[\(address.host)]" : address.host
        return "\(server.settings.tls == nil ? "http" : "https")://\(host):\(server.port)"
    }

    /// Stops accepting, lets the requests in flight finish, and stops the server; the store closes when the last
    /// reference to the instance goes.
    func stop() { server.shutdown() }
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

/// Runs async work from the command line's synchronous code and waits for it, on a thread that is not one of Swift
/// concurrency's (the main thread of `casework serve`), so the wait never holds the pool the work needs.
enum AsyncBridge {
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws(EngineError) -> T) throws(EngineError) -> T {
        let outcome = Mutex<Result<T, EngineError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, EngineError>
            do throws(EngineError) {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        // The task stores its outcome before it signals, so the fallback is never taken.
        return try (outcome.withLock { $0 } ?? .failure(.store(.busy("the service did not start")))).get()
    }
}
