import CaseworkDefinitions
import CaseworkExpressions
import CaseworkServer
import Foundation

/// Reads a request's JSON body: an object with only the keys a route takes, every problem listed with its path.
enum APIBody {
    /// The body as a JSON object, read as every document from outside is (``ReceivedJSON``: strict, no member named
    /// twice, numbers kept as written); an empty body is an empty object. Keys other than `allowed` are refused.
    static func object(_ request: HTTPRequest, allowed: Set<String>) throws(APIProblem) -> [String: Any] {
        if request.body.isEmpty { return [:] }
        let json: Any
        switch ReceivedJSON.read(Data(request.body), field: "body") {
        case .success(let read): json = read
        case .failure(let refusal): throw .invalid(refusal.problems)
        }
        guard let object = json as? [String: Any] else { throw .invalid([InputProblem(field: "body", message: "must be a JSON object")]) }
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw .invalid(unknown.map { InputProblem(field: $0, message: "is not a key here; the keys are \(allowed.sorted().joined(separator: ", "))") })
        }
        return object
    }

    /// The text at `key`, or nil when it is absent; anything but a string is refused.
    static func text(_ object: [String: Any], _ key: String) throws(APIProblem) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value as? String else { throw .invalid([InputProblem(field: key, message: "must be a string")]) }
        return text
    }

    /// The request's query arguments, each given at most once and only those in `allowed` (a misspelt argument is
    /// refused, never ignored); every problem at `query.NAME`.
    static func query(_ request: HTTPRequest, allowed: Set<String>) throws(APIProblem) -> [String: String] {
        var values: [String: String] = [:]
        var problems: [InputProblem] = []
        for (name, value) in request.query {
            if !allowed.contains(name) {
                let known = allowed.isEmpty ? "this route takes none" : "the arguments are \(allowed.sorted().joined(separator: ", "))"
                problems.append(InputProblem(field: "query.\(name)", message: "is not an argument here; \(known)"))
            } else if values.updateValue(value, forKey: name) != nil {
                problems.append(InputProblem(field: "query.\(name)", message: "give it once"))
            }
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return values
    }

    /// The `reason`, required as `--reason` is: a string that is not empty.
    static func reason(_ object: [String: Any]) throws(APIProblem) -> String {
        guard let reason = try text(object, "reason"), !reason.isEmpty else { throw .invalid([InputProblem(field: "reason", message: "is required: say why")]) }
        return reason
    }

    /// Field values given as a JSON object, nested or with dotted names (`{"child": {"first_name": "Sam"}}` or
    /// `{"child.first_name": "Sam"}`), typed by `fields` as `--set` types them; every problem with its field's path.
    static func fields(_ value: Any?, at key: String, fields: [FieldDefinition]) throws(APIProblem) -> [String: ExpressionValue] {
        guard let value else { return [:] }
        guard let object = value as? [String: Any] else { throw .invalid([InputProblem(field: key, message: "must be a JSON object of fields")]) }
        var flat: [(String, Any)] = []
        flatten(object, prefix: "", into: &flat)
        let declared = FieldValues.types(of: fields)
        var values: [String: ExpressionValue] = [:]
        var problems: [InputProblem] = []
        // A field given both nested and by its dotted name is refused, never read as whichever came last.
        var given = Set<String>()
        var repeated = Set<String>()
        for (path, _) in flat where !given.insert(path).inserted { repeated.insert(path) }
        problems += repeated.map { InputProblem(field: $0, message: FieldValues.givenTwiceMessage) }
        for (path, json) in flat.sorted(by: { $0.0 < $1.0 }) where !repeated.contains(path) {
            guard let type = declared[path] else {
                problems.append(FieldValues.undeclared(path, types: declared))
                continue
            }
            switch FieldValues.fromJSON(json, as: type) {
            case .success(let typed): values[path] = typed
            case .failure(let problem): problems.append(InputProblem(field: path, message: problem.message))
            }
        }
        guard problems.isEmpty else { throw .invalid(problems.sorted { $0.field < $1.field }) }
        return values
    }

    private static func flatten(_ object: [String: Any], prefix: String, into flat: inout [(String, Any)]) {
        for (key, value) in object {
            if let nested = value as? [String: Any] {
                flatten(nested, prefix: prefix + key + ".", into: &flat)
            } else {
                flat.append((prefix + key, value))
            }
        }
    }
}
