import Casework
import CaseworkEngine
import CaseworkServer
import CaseworkStore

/// `GET /metrics`: the server's counters (``ServiceMetrics``) and the outbox's depth in the Prometheus text format.
///
/// Only a service that acts as the operator may read them, as for the tick and the outbox: the counts say how busy the
/// council's casework is and how often people are refused, which is the operator's to know. A scraper presents a
/// token as any service does (Prometheus: `authorization: { credentials_file: … }`); no auth-file setting is added.
enum MetricsRoute {
    /// 200 `text/plain; version=0.0.4`; 503 `unavailable` when the outbox cannot be read.
    static func metrics(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        guard caller.actor.isOperator else { throw .forbidden("only a service that acts as the operator may read the metrics") }
        _ = try APIBody.query(call.request, allowed: [])
        let depth = try await outboxDepth(api.cases.driver)
        return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", text: api.metrics.render(outboxDepth: depth))
    }

    /// The undelivered notifications by channel, counted page by page through the whole outbox: a scrape reads every
    /// message once, so its cost grows with the outbox (no store keeps a count).
    static func outboxDepth(_ driver: any CaseStoreDriver) async throws(APIProblem) -> [NoticeChannel: Int] {
        var depth: [NoticeChannel: Int] = [:]
        var request = PageRequest(limit: 1_000)
        do throws(StoreError) {
            while true {
                let page = try await driver.outbox(caseID: nil, page: request)
                for message in page.items where message.deliveredAt == nil { depth[message.channel, default: 0] += 1 }
                guard let next = page.next else { return depth }
                request.after = next
            }
        } catch {
            throw APIProblem(EngineError.store(error))
        }
    }
}
