import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkTime
import Foundation
import Synchronization

/// Reads access requests from JSON, strictly: every part of a request is checked and every problem is reported at
/// its JSON path (`grants[0].until`, `actor.second_factor_verified`, `case.fields.child.date_of_birth`), so a
/// malformed request is refused, never read as a different, more open one.
///
/// It lives in the library so that a service answering access questions over HTTP and `casework decide` (one request
/// or `--batch`) read requests by the same rules, with the same problems at the same paths.
public struct AccessRequestReader: Sendable {
    /// The most bytes one request may take, a file or a line of a batch: checked before anything is parsed,
    /// so a huge input costs no more than reading this much of it.
    public static let maxRequestBytes = 64 * 1024

    /// The keys a request may have.
    static let requestKeys = ["actor", "action", "resource", "case", "grants", "at", "document"]
    /// The keys of `document`.
    static let documentKeys = ["kind", "shared_with"]
    /// The keys of `case`.
    static let caseKeys = ["id", "workflow", "state", "fields"]
    /// The keys of a grant.
    static let grantKeys = ["to", "level", "sections", "from", "until"]
    /// The keys of `actor` besides the policy's attributes: `organisation` names the organisation the person acts for.
    static let actorKeys = ["id", "role", "organisation"]

    /// The policy the requests are for, which decides them.
    public let policy: CompiledPolicy
    /// The definitions whose workflows type the requests' roles, states and fields.
    public let catalog: DefinitionCatalog
    /// The policy's actor attributes and their types.
    let attributeTypes: [String: FieldType]
    /// Every workflow's roles, sorted.
    let roles: [String]
    /// Each workflow's field paths and their types, worked out when a request first names the workflow, once, not
    /// per request (and not for the workflows no request names).
    let fieldTypes: WorkflowFieldTypes

    /// A reader for requests to `policy`, typed by the workflows of `catalog`.
    public init(policy: CompiledPolicy, catalog: DefinitionCatalog) {
        self.policy = policy
        self.catalog = catalog
        attributeTypes = FieldValues.types(of: policy.definition.actorAttributes)
        roles = Array(Set(catalog.workflows.values.flatMap { $0.outline.roles.map(\.value) })).sorted()
        fieldTypes = WorkflowFieldTypes(catalog: catalog)
    }

    /// Each workflow's field paths and their types, by workflow id, worked out on first use, once, whichever copy of
    /// the reader asks first (a service's request handlers share one reader across threads).
    final class WorkflowFieldTypes: Sendable {
        private let catalog: DefinitionCatalog
        private let made = Mutex<[String: [String: FieldType]]>([:])

        init(catalog: DefinitionCatalog) {
            self.catalog = catalog
        }

        /// The field paths of workflow `id` and their types; none for a workflow the catalog lacks.
        subscript(id: String) -> [String: FieldType] {
            made.withLock { made in
                if let types = made[id] { return types }
                guard let workflow = catalog.workflows[id] else { return [:] }
                let types = FieldValues.types(of: workflow.outline.fields)
                made[id] = types
                return types
            }
        }

        /// The ids of the workflows whose field types have been worked out so far, sorted: what tests ask to see that
        /// a request works out only the workflow it names.
        var workedOut: [String] { made.withLock { $0.keys.sorted() } }
    }

    /// Reads the request in the file at `path`, refusing a file over ``maxRequestBytes`` before parsing it.
    public func read(path: String) throws(EngineError) -> AccessRequest {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Self.refusal("cannot read '\(path)'") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maxRequestBytes + 1) ?? Data()
        } catch {
            throw Self.refusal("cannot read '\(path)': \(error.localizedDescription)")
        }
        guard data.count <= Self.maxRequestBytes else {
            throw Self.refusal("'\(path)' is over the limit of \(Self.maxRequestBytes) bytes for one request")
        }
        switch parse(data) {
        case .success(let request): return request
        case .failure(let problems): throw .invalidInput(problems.problems)
        }
    }

    private static func refusal(_ message: String) -> EngineError { .invalidInput([InputProblem(field: "request", message: message)]) }

    /// Every problem found in one request.
    public struct Problems: Error {
        /// The problems, each at the JSON path of the part it is about, sorted by path.
        public var problems: [InputProblem]
    }

    /// Reads one request from its JSON bytes: a request, or every problem with it, sorted by path. A request that is
    /// not strict JSON, or names a member twice, is refused before any of it is read (``ReceivedJSON``).
    public func parse(_ data: Data) -> Result<AccessRequest, Problems> {
        let json: Any
        switch ReceivedJSON.read(data, field: "request") {
        case .success(let read): json = read
        case .failure(let refusal): return .failure(Problems(problems: refusal.problems))
        }
        var builder = Builder(reader: self)
        let request = builder.request(json)
        var problems = builder.problems
        if let request {
            problems += policy.problems(in: request).filter { !builder.broken.contains($0.field) }
        }
        guard problems.isEmpty, let request else { return .failure(Problems(problems: problems.sorted { $0.field < $1.field })) }
        return .success(request)
    }

    /// One pass over a request's JSON: the shapes and types of its parts. What only the policy can judge (actions,
    /// paths, levels, principals) is left to ``CompiledPolicy/problems(in:)``; `broken` holds the paths already
    /// reported here, whose stand-in values that check must not report again.
    private struct Builder {
        let reader: AccessRequestReader
        var problems: [InputProblem] = []
        var broken: Set<String> = []

        /// Records a problem at `path`, and that `path` has been reported.
        mutating func problem(_ path: String, _ message: String) {
            problems.append(InputProblem(field: path, message: message))
            broken.insert(path)
        }

        /// `value` as a string, or nil after reporting what it is instead.
        mutating func string(_ value: Any?, at path: String, required: Bool = true) -> String? {
            guard let value else {
                if required { problem(path, "is missing") }
                return nil
            }
            guard let text = value as? String else {
                problem(path, "must be a string, found \(Self.describe(value))")
                return nil
            }
            return text
        }

        /// `value` as a usable id (``Principal/problem(withID:)``), or nil after reporting why not.
        mutating func id(_ value: Any?, at path: String, required: Bool = true) -> String? {
            guard let text = string(value, at: path, required: required) else { return nil }
            if let problem = Principal.problem(withID: text) {
                self.problem(path, problem)
                return nil
            }
            return text
        }

        /// `value` as a JSON object, or nil after reporting what it is instead.
        mutating func object(_ value: Any?, at path: String, keys: [String]?) -> [String: Any]? {
            guard let value else {
                problem(path, "is missing")
                return nil
            }
            guard let object = value as? [String: Any] else {
                problem(path, "must be an object, found \(Self.describe(value))")
                return nil
            }
            if let keys {
                for key in object.keys.sorted() where !keys.contains(key) {
                    let hint = NameSuggester.suggest(key, from: keys).map { "; did you mean '\($0)'?" } ?? "; expected one of: \(keys.joined(separator: ", "))"
                    problem(path.isEmpty ? key : "\(path).\(key)", "is not a key of \(path.isEmpty ? "a request" : "'\(path)'")\(hint)")
                }
            }
            return object
        }

        /// A `YYYY-MM-DD` date that exists; anything else is reported, never read as no date.
        mutating func date(_ value: Any?, at path: String) -> CalendarDate? {
            guard let text = string(value, at: path, required: false) else { return nil }
            guard let date = CalendarDate(text) else {
                problem(path, "'\(text)' is not a date: write a day that exists as YYYY-MM-DD, such as 2025-09-01")
                return nil
            }
            return date
        }

        /// The request, its unreadable parts standing in as empty; nil when the JSON is not an object.
        mutating func request(_ json: Any) -> AccessRequest? {
            guard let root = object(json, at: "", keys: AccessRequestReader.requestKeys) else {
                problems = [InputProblem(field: "request", message: "must be a JSON object, found \(Self.describe(json))")]
                return nil
            }
            let (actor, principal, attributes) = self.actor(root["actor"])
            let action = string(root["action"], at: "action") ?? ""
            let resource = string(root["resource"], at: "resource") ?? ""
            let subject = self.subject(root["case"])
            let grants = self.grants(root["grants"])
            let at = self.at(root["at"])
            let document = root["document"] == nil ? nil : self.document(root["document"])
            // Parts that could not be read stand in as empty, so the policy's own checks still run on the rest;
            // the request is used only when no problem was found.
            return AccessRequest(actor: actor ?? CaseActor(role: "", id: ""), principal: principal, attributes: attributes, action: action, resource: resource,
                                 caseID: subject?.id ?? "", workflow: subject?.workflow ?? "", state: subject?.state ?? "", fields: subject?.fields ?? [:],
                                 grants: grants, at: at, document: document)
        }

        /// The document the request is about: a kind some workflow of the set declares, and the organisations it is
        /// given to (ids; none when `shared_with` is left out).
        mutating func document(_ value: Any?) -> DocumentFacts? {
            guard let json = object(value, at: "document", keys: AccessRequestReader.documentKeys) else { return nil }
            let kinds = Set(reader.catalog.workflows.values.flatMap { $0.outline.documents.map(\.name.value) }).sorted()
            var kind = string(json["kind"], at: "document.kind")
            if let text = kind, !kinds.contains(text) {
                problem("document.kind", "no workflow declares a document kind '\(text)'" + (NameSuggester.suggest(text, from: kinds).map { "; did you mean '\($0)'?" } ?? ""))
                kind = nil
            }
            var sharedWith: [String] = []
            if let shared = json["shared_with"] {
                guard let items = shared as? [Any] else {
                    problem("document.shared_with", "must be a list of organisation ids, found \(Self.describe(shared))")
                    return nil
                }
                for (index, item) in items.enumerated() {
                    if let id = id(item, at: "document.shared_with[\(index)]") { sharedWith.append(id) }
                }
            }
            return kind.map { DocumentFacts(kind: $0, sharedWith: sharedWith) }
        }

        /// The actor, the organisation they act for as a principal (nil: themselves), and their typed attributes.
        mutating func actor(_ value: Any?) -> (CaseActor?, Principal?, [String: ExpressionValue]) {
            let declared = reader.attributeTypes
            guard let json = object(value, at: "actor", keys: nil) else { return (nil, nil, [:]) }
            let id = self.id(json["id"], at: "actor.id")
            var role: String?
            if let text = string(json["role"], at: "actor.role") {
                let roles = reader.roles
                if roles.contains(text) {
                    role = text
                } else {
                    problem("actor.role", "'\(text)' is not a role of the workflows" + (NameSuggester.suggest(text, from: roles).map { "; did you mean '\($0)'?" } ?? ""))
                }
            }
            let organisation = self.id(json["organisation"], at: "actor.organisation", required: false)
            var attributes: [String: ExpressionValue] = [:]
            for (name, value) in json.sorted(by: { $0.key < $1.key }) where !AccessRequestReader.actorKeys.contains(name) {
                let path = "actor.\(name)"
                guard let type = declared[name] else {
                    problem(path, "the policy declares no such actor attribute"
                        + (NameSuggester.suggest(name, from: declared.keys.sorted() + AccessRequestReader.actorKeys).map { "; did you mean '\($0)'?" } ?? ""))
                    continue
                }
                switch FieldValues.fromJSON(value, as: type) {
                case .success(let typed): attributes[name] = typed
                case .failure(let problem): self.problem(path, problem.message)
                }
            }
            guard let id, let role else { return (nil, nil, attributes) }
            return (CaseActor(role: role, id: id), organisation.map(Principal.organisation), attributes)
        }

        /// The case: its id, a workflow of the set, one of that workflow's states, and its fields typed by the workflow.
        mutating func subject(_ value: Any?) -> (id: String, workflow: String, state: String, fields: [String: ExpressionValue])? {
            guard let json = object(value, at: "case", keys: AccessRequestReader.caseKeys) else { return nil }
            let id = self.id(json["id"], at: "case.id", required: false)
            guard let workflowID = string(json["workflow"], at: "case.workflow") else { return nil }
            guard let workflow = reader.catalog.workflows[workflowID]?.outline else {
                problem("case.workflow", "no workflow '\(workflowID)'" + (NameSuggester.suggest(workflowID, from: reader.catalog.workflows.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""))
                return nil
            }
            var state: String?
            if let text = string(json["state"], at: "case.state") {
                let states = workflow.states.map(\.name.value)
                if states.contains(text) {
                    state = text
                } else {
                    problem("case.state", "'\(text)' is not a state of workflow '\(workflowID)'" + (NameSuggester.suggest(text, from: states).map { "; did you mean '\($0)'?" } ?? ""))
                }
            }
            var fields: [String: ExpressionValue] = [:]
            if json["fields"] != nil, let object = object(json["fields"], at: "case.fields", keys: nil) {
                var given = Set<String>()
                walk(object, prefix: "", types: reader.fieldTypes[workflowID], workflow: workflowID, given: &given, into: &fields)
            }
            guard let state else { return nil }
            return (id ?? "(unnamed)", workflowID, state, fields)
        }

        /// Reads nested field objects into dotted paths, each value typed by the workflow's field there; a field given
        /// both nested and by its dotted name (`given` holds the paths read so far) is refused, not one of them chosen.
        mutating func walk(
            _ object: [String: Any], prefix: String, types: [String: FieldType], workflow: String, given: inout Set<String>,
            into fields: inout [String: ExpressionValue]
        ) {
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                let path = prefix + name
                if types[path] == nil, types.keys.contains(where: { $0.hasPrefix(path + ".") }) {
                    guard let nested = value as? [String: Any] else {
                        problem("case.fields.\(path)", "is a group of fields: write an object of its parts, found \(Self.describe(value))")
                        continue
                    }
                    walk(nested, prefix: path + ".", types: types, workflow: workflow, given: &given, into: &fields)
                    continue
                }
                guard given.insert(path).inserted else {
                    problem("case.fields.\(path)", FieldValues.givenTwiceMessage)
                    continue
                }
                guard let type = types[path] else {
                    problem("case.fields.\(path)", "workflow '\(workflow)' has no such field"
                        + (NameSuggester.suggest(path, from: types.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""))
                    continue
                }
                switch FieldValues.fromJSON(value, as: type) {
                case .success(let typed): fields[path] = typed
                case .failure(let problem): self.problem("case.fields.\(path)", problem.message)
                }
            }
        }

        /// The grants, a list of objects; a grant that cannot be read keeps its place, standing in as nobody's.
        mutating func grants(_ value: Any?) -> [AccessGrant] {
            guard let value else { return [] }
            guard let items = value as? [Any] else {
                problem("grants", "must be a list of grants, found \(Self.describe(value))")
                return []
            }
            return items.enumerated().map { index, item in
                let path = "grants[\(index)]"
                // A grant that cannot be read stands in as one for nobody, keeping the indexes of the others.
                guard let json = object(item, at: path, keys: AccessRequestReader.grantKeys) else {
                    broken.formUnion(["\(path).to", "\(path).level"])
                    return AccessGrant(to: .person(""), level: "")
                }
                var to = Principal.person("")
                if let text = string(json["to"], at: "\(path).to") {
                    do throws(Principal.ParseError) {
                        to = try Principal(parsing: text)
                    } catch {
                        problem("\(path).to", error.message)
                    }
                }
                let level = string(json["level"], at: "\(path).level") ?? ""
                var sections: [String]?
                if let given = json["sections"] {
                    if let list = given as? [Any] {
                        sections = list.enumerated().map { position, entry in string(entry, at: "\(path).sections[\(position)]") ?? "" }
                    } else {
                        problem("\(path).sections", "must be a list of resources or sections, found \(Self.describe(given))")
                    }
                }
                return AccessGrant(to: to, level: level, sections: sections, from: date(json["from"], at: "\(path).from"), until: date(json["until"], at: "\(path).until"))
            }
        }

        /// When the request is made: a date (its start) or an ISO 8601 date and time; without `at`, now.
        mutating func at(_ value: Any?) -> Date {
            guard let text = string(value, at: "at", required: false) else { return Date() }
            if let instant = Date(iso8601: text) { return instant }
            if let day = CalendarDate(text) { return day.start() }
            problem("at", "'\(text)' is not a date (YYYY-MM-DD) or an ISO 8601 date and time such as 2025-11-25T10:00:00Z")
            return Date()
        }

        /// A JSON value as an error message shows it.
        static func describe(_ value: Any) -> String {
            switch value {
            case is NSNull: return "null"
            case let text as String: return "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
            case is [Any]: return "a list"
            case is [String: Any]: return "an object"
            case let number as ReceivedJSON.Number: return number.text
            case let number as NSNumber: return String(cString: number.objCType) == "c" ? (number.boolValue ? "true" : "false") : "\(number)"
            default: return "\(value)"
            }
        }
    }
}
