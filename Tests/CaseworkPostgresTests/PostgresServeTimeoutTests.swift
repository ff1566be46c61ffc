import CaseworkPostgres
import CaseworkTestSupport
import Foundation
import Testing

/// `casework serve --request-timeout` through a real server on PostgreSQL: a fire whose read of the case waits behind
/// another connection's lock on the cases table is answered 503 `timeout` when the limit passes, and once the lock goes
/// it writes nothing. Part of the serialized suite of processes.
extension PostgresProcessTests {
    /// One request to the server with curl: the status and the body.
    static func curl(_ port: Int, _ method: String, _ path: String) throws -> (status: Int, body: [String: Any]) {
        let text = try Spawn.run(["/usr/bin/curl", "-sS", "-X", method, "-H", "Authorization: Bearer pg-tick-token-7c1e", "-w", "\n%{http_code}",
                                  "http://127.0.0.1:\(port)\(path)"]).out
        let status = Int(text.split(separator: "\n").last ?? "") ?? 0
        let body = String(text.dropLast(String(status).count))
        return (status, (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:])
    }

    @Test func aFireWaitingBehindALockedTableIs503TimeoutAndWritesNothing() throws {
        guard let server = TestServer.usable("the PostgreSQL serve request timeout test") else { return }
        let store = try CommandLineStore(on: server, files: [:])
        defer { store.remove() }
        let opened = try CaseworkProcess.run(["case", "open", "ehcp-needs-assessment", "--id", "c1", "--create", "--set", "requested_on=2025-09-01",
                                              "--set", "requested_by=parent", "--set", "child.first_name=Sam", "--set", "child.last_name=Lee",
                                              "--set", "child.date_of_birth=2015-01-01", "--db", store.url] + ServeTick.definitions)
        #expect(opened.status == 0, "\(opened)")
        let auth = store.definitions.appendingPathComponent("auth.yaml")
        try Data(ServeTick.authFile.utf8).write(to: auth)
        let serve = try CaseworkProcess(["serve", "--db", store.url, "--listen", "127.0.0.1:0", "--auth", auth.path, "--request-timeout", "1"]
                                        + ServeTick.definitions)
        defer {
            serve.kill()
            _ = serve.wait()
        }
        var port: Int?
        for _ in 0..<6_000 where port == nil {
            let line = serve.outputSoFar.split(separator: "\n").first { $0.contains("listening on") }
            port = line.flatMap { $0.split(separator: ":").last }.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            if port == nil { usleep(20_000) }
        }
        let listening = try #require(port, "the server did not say where it listens: \(serve.outputSoFar)")
        #expect(try Self.curl(listening, "GET", "/v1/cases/c1").body["revision"] as? Int == 1)

        // Another connection locks the cases table in a transaction: the fire's read of the case waits behind it.
        let owner = try PostgresPool(conninfo: store.database.conninfo)
        let refused = try owner.withConnection { (db: PostgresConnection) throws(PostgresError) -> (status: Int, body: [String: Any])? in
            try db.execute("BEGIN; LOCK TABLE cases IN ACCESS EXCLUSIVE MODE")
            let answer = try? Self.curl(listening, "POST", "/v1/cases/c1/transitions/acknowledge_request")
            try db.execute("ROLLBACK")
            return answer
        }
        let answer = try #require(refused)
        #expect(answer.status == 503, "\(answer)")
        #expect(answer.body["code"] as? String == "timeout", "\(answer)")
        #expect((answer.body["detail"] as? String ?? "").contains("nothing was changed"), "\(answer)")

        // The lock gone, the timed-out fire goes on deciding but writes nothing: firing again is the case's only change.
        let fired = try Self.curl(listening, "POST", "/v1/cases/c1/transitions/acknowledge_request")
        #expect(fired.status == 200, "\(fired)")
        #expect(fired.body["revision"] as? Int == 2)
        let history = try CaseworkProcess.run(["case", "history", "c1", "--format", "json", "--db", store.url] + ServeTick.definitions)
        let events = try #require(try JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [[String: Any]], "\(history)")
        #expect(events.compactMap { $0["action"] as? String } == ["opened", "fired"], "\(history.out)")
    }
}
