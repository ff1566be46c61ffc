import Casework
import CaseworkServer
import Foundation
import Testing
@testable import CaseworkCommandLine

/// The API counts a case's days from the clock its service decides by, for the operator as for everyone else: the
/// operator's answer counted from the machine's clock, so a service run on another clock (an embedder's, a
/// replay's, the API's fuzz target's) told the operator and a caseworker different days left for one deadline.
@Suite struct ServeClockTests {
    static let opened = CalendarDate("2025-09-04")!.start().addingTimeInterval(10 * 3600)

    /// The API in process over an in-memory store on `clock`, letting in the test auth file's services.
    static func api(clock: ManualClock) async throws -> APIService {
        let catalog = try DefinitionCatalog.load(paths: Repository.definitions)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-clock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("auth.yaml").path
        try Tokens.authFile.write(toFile: path, atomically: true, encoding: .utf8)
        let cases = try await CaseService(catalog: catalog, driver: InMemoryCaseStore().driver, clock: clock)
        return try APIService(cases: cases, authPath: path)
    }

    /// The JSON object `GET path` answers with, as `token`'s service sending `headers`, expected to be 200.
    static func get(_ api: APIService, _ path: String, token: String, headers: [(name: String, value: String)] = []) async throws -> [String: Any] {
        let response = await api.answer(HTTPRequest(method: "GET", path: path, headers: [("Authorization", "Bearer \(token)")] + headers), secure: false)
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// The days left of the deadline `name` in a case as shown (`deadlines`) or in its timeline (`time_limits`).
    static func daysLeft(_ shown: [String: Any], _ name: String, in key: String) -> Int? {
        (shown[key] as? [[String: Any]])?.first { $0["name"] as? String == name }?["days_left"] as? Int
    }

    /// The operator's case (`deadlines`) and a caseworker's timeline (`time_limits`) count one deadline's days alike,
    /// as the clock moves.
    @Test func theOperatorAndACaseworkerAreToldTheSameDaysLeft() async throws {
        let clock = ManualClock(Self.opened)
        let api = try await Self.api(clock: clock)
        let opened = await api.answer(HTTPRequest(method: "POST", path: "/v1/cases", headers: [("Authorization", "Bearer \(Tokens.desk)")],
                                                  body: Array(TestServer.openBody("c1").utf8)), secure: false)
        #expect(opened.status == 201, "\(String(decoding: opened.body, as: UTF8.self))")
        let caseworker = [(name: "Casework-Act-As", value: "caseworker:ana"), (name: "Casework-Attribute", value: "relationship=caseworker"),
                          (name: "Casework-Attribute", value: "second_factor_verified=true")]
        // Requested on 1 September 2025, decided within six weeks: due 13 October, 39 days after 4 September.
        for (moved, left) in [(0, 39), (10, 29), (45, -6)] {
            clock.set(Self.opened.addingTimeInterval(Double(moved) * 86_400))
            let asOperator = try await Self.get(api, "/v1/cases/c1", token: Tokens.desk)
            let toCaseworker = try await Self.get(api, "/v1/cases/c1/timeline", token: Tokens.portal, headers: caseworker)
            #expect(Self.daysLeft(asOperator, "decide_whether_to_assess", in: "deadlines") == left, "\(moved) days on, to the operator")
            #expect(Self.daysLeft(toCaseworker, "decide_whether_to_assess", in: "time_limits") == left, "\(moved) days on, to a caseworker")
        }
    }

    /// A worklist with no case in it is as of the service's day, as one with cases is as of their timelines' day.
    @Test func anEmptyWorklistIsAsOfTheServicesDay() async throws {
        let api = try await Self.api(clock: ManualClock(Self.opened))
        let worklist = try await Self.get(api, "/v1/worklist", token: Tokens.desk)
        #expect(worklist["as_of"] as? String == "2025-09-04")
    }
}
