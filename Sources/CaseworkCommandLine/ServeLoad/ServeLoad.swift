import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import Dispatch
import Foundation
import Synchronization

/// A load on `casework serve`, for casework-bench's `serve-load` suite and for the test that keeps its checks true:
/// a server started in this process over the store named, and clients of its own, each on one keep-alive connection,
/// opening cases, reading shared cases and firing a transition on them with `If-Match` the revision just read, so the
/// clients overtake one another. Afterwards it reads every shared case's history and checks that no update was lost
/// (every fire answered 200 is in the history at the revision it was given, and the revisions run on one by one),
/// and it times the same opens, reads and fires through the server's ``CaseService`` with no HTTP.
public enum ServeLoad {
    /// What to load.
    public struct Options: Sendable {
        /// The store, as `--db` names one; fresh or a Casework store (the cases are named afresh each run).
        public var database: String
        /// The definition paths; they must hold the `ehcp-needs-assessment` workflow.
        public var definitions: [String]
        /// Concurrent clients, each on its own connection.
        public var clients: Int
        /// Requests each client makes while the clock runs.
        public var requestsPerClient: Int
        /// Cases every client reads and fires on.
        public var sharedCases: Int

        /// Options for a load of `clients` clients making `requestsPerClient` requests each over `sharedCases` cases.
        public init(database: String, definitions: [String], clients: Int, requestsPerClient: Int, sharedCases: Int) {
            self.database = database
            self.definitions = definitions
            self.clients = clients
            self.requestsPerClient = requestsPerClient
            self.sharedCases = sharedCases
        }
    }

    static let workflow = "ehcp-needs-assessment"
    /// The transition fired again and again: from `deciding_to_assess` back to it, with one input.
    static let repeated = "record_evidence"

    /// Starts the server, runs the load and the checks, times the in-process baseline, and stops the server.
    public static func run(_ options: Options) throws(ServeLoadFailure) -> ServeLoadReport {
        guard options.clients >= 1, options.requestsPerClient >= 1, options.sharedCases >= 1 else {
            throw ServeLoadFailure("clients, requests per client and shared cases must each be at least 1")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-serve-load-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = UUID().uuidString
        let auth = directory.appendingPathComponent("auth.yaml")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try "services:\n  - name: load\n    token_sha256: \(SHA256.hex(token))\n    acts_as: operator\n".write(to: auth, atomically: true, encoding: .utf8)
        } catch {
            throw ServeLoadFailure("could not write the auth file: \(error)")
        }
        var settings = HTTPServerSettings(address: .loopback(port: 0))
        settings.maxConnections = max(settings.maxConnections, options.clients + 8)
        let instance: ServeInstance
        do throws(ServeError) {
            instance = try ServeInstance(ServeInstance.Options(database: options.database, definitions: options.definitions, cache: nil,
                                                               authPath: auth.path, create: true, settings: settings, requestTimeout: nil))
        } catch {
            throw ServeLoadFailure("the server did not start: \(error)")
        }
        defer { instance.stop() }
        let run = UUID().uuidString.prefix(8).lowercased()
        let shared = (0..<options.sharedCases).map { "load-\(run)-shared-\($0)" }
        let setup = ServeLoadConnection(port: instance.server.port, token: token)
        for id in shared {
            try expect(201, setup.send("POST", "/v1/cases", json: openBody(id)), "opening \(id)")
            try expect(200, setup.send("POST", "/v1/cases/\(id)/transitions/acknowledge_request", json: "{}"), "acknowledging \(id)")
        }
        let plan = LoadPlan(options: options, shared: shared, prefix: "load-\(run)")
        let tally = Mutex(Tally())
        let failure = Mutex<ServeLoadFailure?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: options.clients) { client in
            do throws(ServeLoadFailure) {
                let mine = try http(plan, client: client, port: instance.server.port, token: token)
                tally.withLock { $0.merge(mine) }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let failure = failure.withLock({ $0 }) { throw failure }
        let measured = tally.withLock { $0 }
        let lost = try ServeLoadCheck.lostUpdates(setup, shared: shared, accepted: measured.accepted, opened: measured.opened)
        let inProcess = try inProcessSeconds(LoadPlan(options: options, shared: [], prefix: "inproc-\(run)"), cases: instance.api.cases, options: options)
        return ServeLoadReport(requests: measured.latencies.count, seconds: seconds, latencies: measured.latencies.sorted(), statuses: measured.statuses,
                               acceptedFires: measured.accepted.count, conflicts: measured.statuses[409, default: 0], lostUpdates: lost,
                               inProcessSeconds: inProcess)
    }

    /// The body that opens case `id`, with the parent `jo` taking part.
    static func openBody(_ id: String) -> String {
        """
        {"workflow": "\(workflow)", "id": "\(id)", "fields": {"requested_on": "2025-09-01", "requested_by": "parent",
         "child": {"first_name": "Sam", "last_name": "Lee", "date_of_birth": "2015-01-01"}}, "participants": {"parent": "jo"}}
        """
    }

    static func fireBody(_ step: Int) -> String { #"{"input": {"evidence_complete": \#(step % 2 == 0)}}"# }

    private static func expect(_ status: Int, _ answer: ServeLoadConnection.Answer, _ doing: String) throws(ServeLoadFailure) {
        guard answer.status == status else {
            throw ServeLoadFailure("\(doing) was answered \(answer.status), not \(status): \(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    /// One client's requests over HTTP, as ``LoadPlan`` lays them out.
    private static func http(_ plan: LoadPlan, client: Int, port: UInt16, token: String) throws(ServeLoadFailure) -> Tally {
        let connection = ServeLoadConnection(port: port, token: token)
        var tally = Tally()
        var lastRead: String?
        for step in 0..<plan.requestsPerClient {
            let began = DispatchTime.now().uptimeNanoseconds
            let answer: ServeLoadConnection.Answer
            switch plan.step(client: client, step) {
            case .open(let id):
                answer = try connection.send("POST", "/v1/cases", json: openBody(id))
                if answer.status == 201 { tally.opened.append(id) }
            case .read(let id):
                answer = try connection.send("GET", "/v1/cases/\(id)")
                lastRead = answer.etag
            case .fire(let id):
                answer = try connection.send("POST", "/v1/cases/\(id)/transitions/\(repeated)", headers: [("If-Match", lastRead ?? "\"0\"")],
                                             json: fireBody(step))
                if answer.status == 200 {
                    guard let revision = answer.etag.flatMap({ Int($0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }) else {
                        throw ServeLoadFailure("a fire on \(id) was accepted without a revision as its ETag")
                    }
                    tally.accepted.append(Accepted(caseID: id, revision: revision))
                }
            }
            tally.latencies.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
            tally.statuses[answer.status, default: 0] += 1
        }
        return tally
    }

    /// The same requests through `cases` with no HTTP, on cases of their own, timed.
    private static func inProcessSeconds(_ plan: LoadPlan, cases: CaseService, options: Options) throws(ServeLoadFailure) -> Double {
        let shared = (0..<options.sharedCases).map { "\(plan.prefix)-shared-\($0)" }
        let actor = CaseActor.operator("load")
        guard let workflowFields = cases.catalog.workflows[workflow]?.definition.fields else {
            throw ServeLoadFailure("the definitions hold no workflow '\(workflow)'")
        }
        let openFields = try fields(#"{"requested_on": "2025-09-01", "requested_by": "parent", "child": {"first_name": "Sam", "last_name": "Lee", "date_of_birth": "2015-01-01"}}"#, workflowFields)
        let participants = CaseParticipants(entries: [("parent", "jo")])
        let inputs = try [fields(#"{"evidence_complete": true}"#, workflowFields), fields(#"{"evidence_complete": false}"#, workflowFields)]
        do throws(EngineError) {
            for id in shared {
                _ = try AsyncBridge.wait { () async throws(EngineError) in
                    try await cases.open(workflow: workflow, as: actor, caseID: id, fields: openFields, participants: participants)
                }
                _ = try AsyncBridge.wait { () async throws(EngineError) in
                    try await cases.fire(FireRequest(caseID: id, transition: "acknowledge_request", actor: actor))
                }
            }
        } catch {
            throw ServeLoadFailure("the baseline could not open its cases: \(error)")
        }
        let baseline = LoadPlan(options: options, shared: shared, prefix: plan.prefix)
        let failure = Mutex<ServeLoadFailure?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: options.clients) { client in
            var lastRead: Int?
            for step in 0..<baseline.requestsPerClient {
                do throws(EngineError) {
                    switch baseline.step(client: client, step) {
                    case .open(let id):
                        _ = try AsyncBridge.wait { () async throws(EngineError) in
                            try await cases.open(workflow: workflow, as: actor, caseID: id, fields: openFields, participants: participants)
                        }
                    case .read(let id):
                        lastRead = try AsyncBridge.wait { () async throws(EngineError) in try await cases.caseRecord(id, as: actor).revision }
                    case .fire(let id):
                        let request = FireRequest(caseID: id, transition: repeated, actor: actor, input: inputs[step % 2], expectedRevision: lastRead ?? 0)
                        _ = try AsyncBridge.wait { () async throws(EngineError) in try await cases.fire(request) }
                    }
                } catch {
                    if APIProblem(error).status != 409 { failure.withLock { $0 = ServeLoadFailure("the baseline was refused: \(error)") } }
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let failure = failure.withLock({ $0 }) { throw failure }
        return seconds
    }

    private static func fields(_ json: String, _ declared: [FieldDefinition]) throws(ServeLoadFailure) -> [String: ExpressionValue] {
        guard case .success(let read) = ReceivedJSON.read(Data(json.utf8), field: "fields") else {
            throw ServeLoadFailure("the baseline's fields are not JSON that names each member once")
        }
        do throws(APIProblem) {
            return try APIBody.fields(read, at: "fields", fields: declared)
        } catch {
            throw ServeLoadFailure("the baseline's fields do not fit the workflow: \(error.detail)")
        }
    }
}

/// A fire answered 200, and the revision its answer gave the case.
struct Accepted: Sendable {
    var caseID: String
    var revision: Int
}

/// What clients saw: each request's latency, each status's count, the fires accepted and the cases opened.
struct Tally: Sendable {
    var latencies: [Double] = []
    var statuses: [Int: Int] = [:]
    var accepted: [Accepted] = []
    var opened: [String] = []

    mutating func merge(_ other: Tally) {
        latencies += other.latencies
        statuses.merge(other.statuses, uniquingKeysWith: +)
        accepted += other.accepted
        opened += other.opened
    }
}

/// Which request each client makes at each step, the same over HTTP and in process: every tenth step opens a case
/// of the client's own, and the others go in pairs, a read of a shared case then a fire on it with the revision read,
/// each pair on the next shared case along.
struct LoadPlan: Sendable {
    enum Step {
        case open(String)
        case read(String)
        case fire(String)
    }

    var requestsPerClient: Int
    var shared: [String]
    var prefix: String

    init(options: ServeLoad.Options, shared: [String], prefix: String) {
        requestsPerClient = options.requestsPerClient
        self.shared = shared
        self.prefix = prefix
    }

    func step(client: Int, _ step: Int) -> Step {
        if step % 10 == 0 { return .open("\(prefix)-\(client)-\(step)") }
        let target = shared[(client + (step + 1) / 2) % shared.count]
        return step % 2 == 1 ? .read(target) : .fire(target)
    }
}
