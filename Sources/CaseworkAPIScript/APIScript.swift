import Casework
import CaseworkCommandLine
import CaseworkServer
import Foundation

/// A script of requests to `casework serve`'s API and case desk, run in process over a fresh in-memory store, and
/// what the API must never do while it runs: the API's fuzz target (`Fuzz/API`) runs every input it makes as one, and
/// `FuzzRegressionTests` runs its seeds and findings the same way in every `swift test`.
///
/// A script is text: up to eight requests separated by a line `%%`, each a request line `METHOD TARGET` (the path,
/// then `?` and `&`-separated arguments), header lines `Name: value`, an empty line and the body. The HTTP layer
/// has percent-decoded the path and query by the time the API sees them, so they are taken as written.
public enum APIScript {
    /// The most requests one script runs.
    public static let maxRequests = 8

    /// The services the API lets in, by the bearer tokens a script sends (`Authorization: Bearer desk`): short, so
    /// that a mutation can reach them. `desk` is the operator; `portal` acts for parents, carers and staff with
    /// their relationship and second factor; `school` acts for school staff.
    public static let authFile = """
        services:
          - name: desk
            token_sha256: \(SHA256.hex("desk"))
            acts_as: operator
          - name: portal
            token_sha256: \(SHA256.hex("portal"))
            acts_for:
              roles: [parent, carer, caseworker, send_manager]
              attributes: [relationship, second_factor_verified]
          - name: school
            token_sha256: \(SHA256.hex("school"))
            acts_for:
              roles: [school]
              attributes: []
        """

    /// The instant every script's service stands at: 4 September 2025, 10:00 London time (09:00 UTC).
    public static let now = Date(timeIntervalSince1970: 1_756_976_400)

    /// One request of a script and the answer it got.
    public struct Exchange: Sendable {
        /// The request as the API saw it.
        public var request: HTTPRequest
        /// Its answer.
        public var response: HTTPResponse

        /// `METHOD PATH -> STATUS`, then the first `bodyBytes` of the answer on one line.
        public func line(bodyBytes: Int = 400) -> String {
            let body = String(decoding: response.body.prefix(bodyBytes), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
            return "\(request.method) \(request.path) -> \(response.status) \(body)"
        }
    }

    /// What a script ran into that the API must never do.
    public struct Fault: Error, Sendable, CustomStringConvertible {
        /// The exchange that showed it; nil when the API or its store failed outside any request.
        public var exchange: Exchange?
        /// What was wrong.
        public var problem: String

        /// The problem, the request and its answer.
        public var description: String { exchange.map { "\(problem): \($0.line(bodyBytes: 2_000))" } ?? problem }
    }

    /// The requests of `script`, at most ``maxRequests``; a part with no `METHOD TARGET` line is skipped. The line
    /// break that ends a script's file is not part of its last body.
    public static func requests(in script: [UInt8]) -> [HTTPRequest] {
        var text = String(decoding: script, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text.components(separatedBy: "\n%%\n").prefix(maxRequests).compactMap { part -> HTTPRequest? in
            let (head, body) = part.range(of: "\n\n").map { (String(part[..<$0.lowerBound]), Array(part[$0.upperBound...].utf8)) } ?? (part, [])
            var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard !lines.isEmpty else { return nil }
            let requestLine = lines.removeFirst().split(separator: " ", maxSplits: 1).map(String.init)
            guard requestLine.count == 2 else { return nil }
            let target = requestLine[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let arguments = target.count == 2 ? target[1].split(separator: "&") : []
            let query = arguments.map { argument -> (name: String, value: String) in
                let pair = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                return (name: pair[0], value: pair.count == 2 ? pair[1] : "")
            }
            let headers = lines.compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            return HTTPRequest(method: requestLine[0], path: target[0], query: query, headers: headers, body: body)
        }
    }

    /// Runs `script` against a fresh in-memory store with `catalog`, letting in the services of the auth file at
    /// `authPath` (``authFile``, written by the caller), each exchange handed to `observe` as it ends. Throws the
    /// first ``Fault``: an answer of 500 or more, JSON that does not read, or a refusal (400 or more) that changed the
    /// store.
    public static func run(_ script: [UInt8], catalog: DefinitionCatalog, authPath: String,
                           observe: (Exchange) -> Void = { _ in }) async throws(Fault) {
        let requests = requests(in: script)
        guard !requests.isEmpty else { return }
        let store = InMemoryCaseStore()
        let api: APIService
        do {
            let cases = try await CaseService(catalog: catalog, driver: store.driver, clock: ManualClock(now))
            api = try APIService(cases: cases, authPath: authPath)
        } catch {
            throw Fault(problem: "the API does not start: \(error)")
        }
        for request in requests {
            let before = try contents(of: store)
            let exchange = Exchange(request: request, response: await api.answer(request, secure: false))
            observe(exchange)
            let response = exchange.response
            if response.status >= 500 { throw Fault(exchange: exchange, problem: "answered \(response.status)") }
            if !readsAsDeclared(response) { throw Fault(exchange: exchange, problem: "answered JSON that does not read") }
            if response.status >= 400, try contents(of: store) != before {
                throw Fault(exchange: exchange, problem: "refused \(response.status) but changed the store")
            }
        }
    }

    /// ``run(_:catalog:authPath:observe:)`` from code that cannot await (libFuzzer's callback, on a thread of its
    /// own): the script runs in a task and this thread waits for it; the first fault, or nil.
    public static func runWaiting(_ script: [UInt8], catalog: DefinitionCatalog, authPath: String,
                                  observe: @escaping @Sendable (Exchange) -> Void = { _ in }) -> Fault? {
        let outcome = AsyncBridge.result { () async throws(Fault) in try await run(script, catalog: catalog, authPath: authPath, observe: observe) }
        guard case .failure(let fault) = outcome else { return nil }
        return fault
    }

    /// Writes `text` (``authFile`` unless given) into `directory` as `auth.yaml` and returns its path.
    public static func write(_ text: String = authFile, into directory: URL) throws -> String {
        let path = directory.appendingPathComponent("auth.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// For a fuzz target, loaded once: the auth file `write` puts into a directory of this process's own
    /// (`casework-fuzz-NAME-PID` in the temporary directory). One that cannot be written stops the process: no input
    /// could run.
    public static func fuzzAuthPath(_ name: String, write: (URL) throws -> String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-fuzz-\(name)-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try write(directory)
        } catch {
            fatalError("the fuzz target's auth file cannot be written: \(error)")
        }
    }

    /// A fuzz target's run of one input (`Fuzz/API`, `Fuzz/BearerToken`): `script` run as ``runWaiting``, each answer
    /// printed when `CASEWORK_FUZZ_TRACE` is set. A fault stops the process with its description, which libFuzzer
    /// reports as a crash, saving the input.
    public static func fuzz(_ script: [UInt8], catalog: DefinitionCatalog, authPath: String) -> Int32 {
        let tracing = ProcessInfo.processInfo.environment["CASEWORK_FUZZ_TRACE"] != nil
        if let fault = runWaiting(script, catalog: catalog, authPath: authPath, observe: { if tracing { print($0.line()) } }) {
            fatalError(fault.description)
        }
        return 0
    }

    /// Whether an answer that says it is JSON reads as JSON: the whole body, or, for newline-delimited JSON
    /// (`application/x-ndjson`, `POST /v1/decide/batch`), each line on its own.
    static func readsAsDeclared(_ response: HTTPResponse) -> Bool {
        let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
        func reads(_ bytes: some Collection<UInt8>) -> Bool { (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil }
        if contentType.contains("ndjson") {
            return response.body.split(separator: UInt8(ascii: "\n")).allSatisfy(reads)
        }
        return !contentType.contains("json") || reads(response.body)
    }

    /// What the store holds that a request could change and a refusal must leave alone: each case whole as the store
    /// archives it (its record, history, messages, idempotency keys, deadline alarms, document versions and their
    /// bytes), every outbox message in the outbox's order (claims and acknowledgements included) and every child.
    static func contents(of store: InMemoryCaseStore) throws(Fault) -> [AnyHashable] {
        do throws(StoreError) {
            var all: [AnyHashable] = []
            for caseID in try store.caseIDs() {
                guard var archive = try store.archive(caseID: caseID) else { continue }
                // The store hands a case's keys over in no particular order: sorted, only a change to them counts.
                archive.idempotency.sort { $0.key < $1.key }
                all.append(archive)
            }
            all.append(try store.outbox(caseID: nil))
            for childID in try store.childIDs() { all.append(try store.child(id: childID)) }
            return all
        } catch {
            throw Fault(problem: "the in-memory store refused a read: \(error)")
        }
    }
}
