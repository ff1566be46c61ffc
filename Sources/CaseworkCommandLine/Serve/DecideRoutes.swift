import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import Foundation

/// `POST /v1/decide` and `POST /v1/decide/batch`: one access decision, or one per line, exactly as `casework decide
/// --format json` and `casework decide --batch` give them, for the same request text. `?policy=NAME` chooses the
/// policy as `--policy` does.
enum DecideRoutes {
    /// The body is one request, as in a request file; 200 with the decision, 422 with every problem of the request.
    static func decide(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let reader = try reader(api, call)
        guard call.request.body.count <= AccessRequestReader.maxRequestBytes else {
            throw .invalid([InputProblem(field: "request", message: "the request is over the limit of \(AccessRequestReader.maxRequestBytes) bytes")])
        }
        switch reader.parse(Data(call.request.body)) {
        case .success(let request): return APIService.json(DecideCommand.json(reader.policy.decide(request)))
        case .failure(let problems): throw .invalid(problems.problems)
        }
    }

    /// The body is one request per line; 200 with one decision (or one line's problems) per line, in order, as NDJSON.
    static func batch(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        var batch = DecideBatch.Batch(reader: try reader(api, call))
        call.request.body.withUnsafeBufferPointer { batch.feed($0[0..<$0.count]) }
        batch.finish()
        return HTTPResponse(status: 200, contentType: "application/x-ndjson", text: batch.take())
    }

    private static func reader(_ api: APIService, _ call: APICall) throws(APIProblem) -> AccessRequestReader {
        let names = call.request.queryValues("policy")
        guard names.count <= 1 else { throw .invalid([InputProblem(field: "query.policy", message: "name one policy")]) }
        do throws(EngineError) {
            return AccessRequestReader(policy: try DecideCommand.choosePolicy(names.first, in: api.catalog), catalog: api.catalog)
        } catch {
            throw APIProblem(error)
        }
    }
}
