import Foundation
import Testing

/// `casework serve --tick-every` from two processes on one PostgreSQL database: between them every reminder, breach
/// and notice is applied once, exactly as one `casework tick` applies them to the same cases in another database.
/// Part of the serialized suite of processes, so it never runs while another test restarts the server.
extension PostgresProcessTests {
    /// The tick test's definitions and helpers.
    enum ServeTick {
        /// An operator service whose token is `pg-tick-token-7c1e`, kept as its SHA-256.
        static let authFile = """
            services:
              - name: ticker
                token_sha256: e4f25dacbaa7ac97b360871e6e6cc28cfed20b44ba77c9aa2231a6c7e4c7632d
                acts_as: operator

            """
        static let definitions = ["Workflows", "Policies"].flatMap { ["--definitions", CaseworkProcess.root.appendingPathComponent($0).path] }
        static let ids = ["c1", "c2", "c3"]

        /// Opens the cases, requested long ago so their reminders and breaches are due.
        static func open(_ url: String) throws {
            for id in ids {
                let opened = try CaseworkProcess.run(["case", "open", "ehcp-needs-assessment", "--id", id, "--create", "--set", "requested_on=2025-09-01",
                                                      "--set", "requested_by=parent", "--set", "child.first_name=Sam", "--set", "child.last_name=Lee",
                                                      "--set", "child.date_of_birth=2015-01-01", "--db", url] + definitions)
                #expect(opened.status == 0, "\(opened)")
            }
        }

        /// Each case's deadline events and notifications, in order, as the command line lists them.
        static func applied(_ url: String) throws -> [String] {
            var lines: [String] = []
            for id in ids {
                let history = try CaseworkProcess.run(["case", "history", id, "--format", "json", "--db", url] + definitions)
                let events = try #require(try JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [[String: Any]], "\(history)")
                lines += events.compactMap { event in
                    guard let action = event["action"] as? String, action.hasPrefix("deadline_") else { return nil }
                    return "\(id) \(action) \(event["subject"] as? String ?? "")"
                }
                let outbox = try CaseworkProcess.run(["outbox", "list", "--case", id, "--format", "json", "--db", url] + definitions)
                let messages = try #require(try JSONSerialization.jsonObject(with: Data(outbox.out.utf8)) as? [[String: Any]], "\(outbox)")
                lines += messages.map { "\(id) notice \($0["template"] as? String ?? "") \($0["recipient_role"] as? String ?? "")" }.sorted()
            }
            return lines
        }
    }

    @Test func twoServersWithTickEveryApplyEachActionOnce() throws {
        guard let server = TestServer.usable("the PostgreSQL serve tick test") else { return }
        let shared = try CommandLineStore(on: server, files: [:])
        let reference = try CommandLineStore(on: server, files: [:])
        defer {
            shared.remove()
            reference.remove()
        }
        try ServeTick.open(reference.url)
        #expect(try CaseworkProcess.run(["tick", "--format", "json", "--db", reference.url] + ServeTick.definitions).status == 0)
        let expected = try ServeTick.applied(reference.url)
        #expect(expected.contains { $0.contains("deadline_breached") })

        try ServeTick.open(shared.url)
        let auth = shared.definitions.appendingPathComponent("auth.yaml")
        try Data(ServeTick.authFile.utf8).write(to: auth)
        let servers = try (0..<2).map { _ in
            try CaseworkProcess(["serve", "--db", shared.url, "--listen", "127.0.0.1:0", "--auth", auth.path, "--tick-every", "1s"] + ServeTick.definitions)
        }
        // Wait (at most ten minutes on a loaded machine) until the servers have applied everything one tick applies,
        // then long enough for each to tick a few times more: a second application would show as a duplicate.
        var seen: [String] = []
        for _ in 0..<600 where seen.count < expected.count {
            Thread.sleep(forTimeInterval: 1)
            seen = try ServeTick.applied(shared.url)
        }
        Thread.sleep(forTimeInterval: 4)
        for process in servers { process.kill() }
        let ends = servers.map { $0.wait() }
        #expect(ends.allSatisfy { !$0.err.contains("a tick failed") }, "\(ends)")
        #expect(try ServeTick.applied(shared.url) == expected)
        let verified = try CaseworkProcess.run(["audit", "verify", "--db", shared.url] + ServeTick.definitions)
        #expect(verified.status == 0, "\(verified)")
    }
}
