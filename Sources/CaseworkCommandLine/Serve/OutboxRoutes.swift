import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import Foundation

/// The outbox routes for a mail deliverer: claim notifications for a lease and acknowledge the ones delivered, as
/// `casework outbox claim` and `casework outbox ack` do, through the same ``CaseService`` calls and the same JSON.
///
/// A deliverer is a process the operator runs and is handed every case's messages, so only a service that acts as the
/// operator may call these; the claimer is the service's own name (`operator:NAME` in the auth file), as `--as
/// DELIVERER` names it on the command line.
enum OutboxRoutes {
    /// `POST /v1/outbox/claim`: `{"limit"?, "lease"?}` (defaults 100 and 300 seconds, as the command's) claims the
    /// undelivered messages; 200 with them as `outbox claim --format json` prints them.
    static func claim(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let deliverer = try deliverer(api, call)
        let body = try APIBody.object(call.request, allowed: ["limit", "lease"])
        let limit = try number(body, "limit", as: .int, default: 100, message: "must be a whole number of 1 or more, such as 10") { $0 >= 1 }
        let lease = try number(body, "lease", as: .decimal, default: 300, message: "must be \(OutboxClaim.leaseRule)", valid: OutboxClaim.isUsableLease)
        let messages = try await api.engine { () async throws(EngineError) in
            try await api.cases.claimNotifications(claimer: deliverer, limit: Int(limit), lease: lease)
        }
        return APIService.json(OutboxCommand.json(messages))
    }

    /// `POST /v1/outbox/ack`: `{"ids": ["c1/3/1", …]}` marks the deliverer's claimed messages delivered; 200
    /// `{"acknowledged": N, "of": M}` when any was (each message is delivered or not on its own, so a deliverer that
    /// lost one to another after its lease ran out does not deliver the rest again), and 409 `conflict` when none was,
    /// nothing changed. A request that changed the store is never answered as refused; `acknowledged` below `of` is how
    /// a partial acknowledgement is told (as `outbox ack` exits 1).
    static func acknowledge(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let deliverer = try deliverer(api, call)
        let body = try APIBody.object(call.request, allowed: ["ids"])
        guard let list = body["ids"] as? [Any], let ids = list as? [String], !ids.isEmpty, !ids.contains(where: \.isEmpty) else {
            throw .invalid([InputProblem(field: "ids", message: "must be a list of the claimed messages' ids, such as [\"c1/3/1\"]")])
        }
        let count = try await api.engine { () async throws(EngineError) in
            try await api.cases.acknowledgeNotifications(ids, claimer: deliverer)
        }
        guard count > 0 else {
            throw APIProblem(status: 409, code: RefusalCode.conflict.rawValue,
                             detail: "acknowledged 0 of \(ids.count): none is claimed by this deliverer and undelivered")
        }
        return APIService.json(["acknowledged": count, "of": ids.count])
    }

    /// The claimer: the calling service's operator name; anyone else is refused 403.
    private static func deliverer(_ api: APIService, _ call: APICall) throws(APIProblem) -> String {
        let caller = try api.caller(call)
        guard caller.actor.isOperator else { throw .forbidden("only a service that acts as the operator may deliver the outbox") }
        return caller.actor.id
    }

    /// A number at `key`, `fallback` when absent, read as a field of type `type` is (``FieldValues/fromJSON(_:as:)``,
    /// so `true` is no number); a value `valid` refuses is an error, never a default.
    private static func number(
        _ body: [String: Any], _ key: String, as type: FieldType, default fallback: Double, message: String, valid: (Double) -> Bool
    ) throws(APIProblem) -> Double {
        guard let value = body[key] else { return fallback }
        let number: Double?
        switch FieldValues.fromJSON(value, as: type) {
        case .success(.int(let whole)): number = Double(whole)
        case .success(.decimal(let decimal)): number = NSDecimalNumber(decimal: decimal).doubleValue
        default: number = nil
        }
        guard let number, number.isFinite, number <= 1_000_000, valid(number) else { throw .invalid([InputProblem(field: key, message: message)]) }
        return number
    }
}
