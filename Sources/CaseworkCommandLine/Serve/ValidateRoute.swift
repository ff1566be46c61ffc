import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkServer

/// `POST /v1/validate`: checks a set of definition files sent in the body, as `casework validate --format json` checks
/// files on disk, for an editor or a pipeline that holds the files itself. Nothing is loaded into the server and no
/// store is read, so any service let in may ask.
enum ValidateRoute {
    /// `{"files": {"NAME": "TEXT", …}}`, each file's name as diagnostics should show it (`Workflows/x.yaml`); 200 with
    /// the diagnostics as `validate --format json` prints them, `[]` when there are none. A set with errors is still
    /// answered 200: the request was understood, and the answer is the errors (each with `"severity": "error"`).
    static func validate(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let body = try APIBody.object(call.request, allowed: ["files"])
        guard let files = body["files"] as? [String: Any], !files.isEmpty else {
            throw .invalid([InputProblem(field: "files", message: "must be an object of one or more files, NAME: TEXT, such as {\"Workflows/x.yaml\": \"workflow: x\\n\"}")])
        }
        var sources: [(file: String, text: String)] = []
        var problems: [InputProblem] = []
        for (name, value) in files.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty else {
                problems.append(InputProblem(field: "files", message: "a file's name must not be empty"))
                continue
            }
            guard let text = value as? String else {
                problems.append(InputProblem(field: "files.\(name)", message: "must be the file's text, a string"))
                continue
            }
            sources.append((name, text))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        let report = Validator.validate(sources: sources)
        return HTTPResponse(status: 200, contentType: "application/json", text: DiagnosticRenderer.json(report.diagnostics) + "\n")
    }
}
