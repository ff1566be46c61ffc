import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer
import CaseworkTime
import Foundation

/// `GET /v1/worklist?limit=N&after=CURSOR`: what needs doing on one page of the cases the caller may see, the case
/// desk's work list: time limits overdue, due within a week and paused; notices owed by another route; forms waiting
/// for the service to accept them.
///
/// Each part comes from a read the caller could make themselves, through the one door: time limits from the case's
/// timeline (so a viewer from whom the policy withholds them gets none), notices owed from `notices list` (staff who
/// may edit the case only), forms waiting from the forms the caller may accept or return (`GET /v1/cases/{case}/forms`). A part the policy refuses the caller is
/// left out, not refused: the list is the caller's work, and someone who may see a case's state but not its notices
/// simply has no notices to send on it.
enum WorklistRoute {
    /// How far ahead "due this week" looks, in calendar days from today.
    static let weekAhead = 7

    /// 200 `{"as_of", "overdue", "due_this_week", "paused", "notices_owed", "forms_waiting", "next"}`; `limit` and
    /// `after` page through the cases exactly as `GET /v1/cases` does.
    static func list(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let page = try CaseListRoute.pageRequest(call.request)
        let found = try await api.engine { () async throws(EngineError) in
            try await api.cases.cases(visibleTo: caller.actor, attributes: caller.attributes, page: page)
        }
        var overdue: [[String: Any]] = [], dueThisWeek: [[String: Any]] = [], paused: [[String: Any]] = []
        var noticesOwed: [[String: Any]] = [], formsWaiting: [[String: Any]] = []
        var asOf: CalendarDate?
        for summary in found.items where summary.damage == nil {
            let id = summary.id
            if let timeline = try await shown({ () async throws(EngineError) in
                try await api.cases.timeline(caseID: id, as: caller.actor, attributes: caller.attributes)
            }) {
                asOf = asOf.map { max($0, timeline.asOf) } ?? timeline.asOf
                for limit in timeline.timeLimits ?? [] {
                    let entry: [String: Any] = ["case": id, "workflow_title": timeline.workflowTitle, "state_title": timeline.now.title,
                                                "name": limit.name, "title": limit.title, "due_on": limit.dueOn.description]
                    switch limit.status {
                    case .running(let left) where left < 0: overdue.append(entry.merging(["days_left": left]) { _, new in new })
                    case .running(let left) where left <= weekAhead: dueThisWeek.append(entry.merging(["days_left": left]) { _, new in new })
                    case .paused(let since): paused.append(entry.merging(["paused_on": since.description]) { _, new in new })
                    default: break
                    }
                }
            }
            if let owed = try await shown({ () async throws(EngineError) in
                try await api.cases.owedNotices(caseID: id, as: caller.actor, attributes: caller.attributes, outstanding: true)
            }) {
                noticesOwed += owed.map(NoticesCommand.json)
            }
            if let forms = try await shown({ () async throws(EngineError) in
                try await api.cases.formsWaiting(caseID: id, as: caller.actor, attributes: caller.attributes)
            }) {
                formsWaiting += forms.map { form in
                    ["case": id, "form": form.id, "recipient_role": form.recipientRole, "recipient_id": form.recipientID ?? NSNull(),
                     "due_on": form.dueOn.description, "submissions": form.submissions]
                }
            }
        }
        let byDue: ([String: Any], [String: Any]) -> Bool = { ($0["due_on"] as? String ?? "", $0["case"] as? String ?? "") < ($1["due_on"] as? String ?? "", $1["case"] as? String ?? "") }
        return APIService.json([
            "as_of": asOf?.description ?? api.cases.today.description,
            "overdue": overdue.sorted(by: byDue), "due_this_week": dueThisWeek.sorted(by: byDue), "paused": paused.sorted(by: byDue),
            "notices_owed": noticesOwed, "forms_waiting": formsWaiting.sorted(by: byDue),
            "next": found.next?.token ?? NSNull(),
        ])
    }

    /// The answer of a read the caller may make, nil when the policy refuses it them (or the case went meanwhile);
    /// any other refusal (the store failing) is the request's.
    private static func shown<T: Sendable>(_ body: () async throws(EngineError) -> T) async throws(APIProblem) -> T? {
        do throws(EngineError) {
            return try await body()
        } catch {
            switch error.code {
            case .forbidden, .notFound: return nil
            default: throw APIProblem(error)
            }
        }
    }
}
