import Foundation
import Testing
@testable import CaseworkCommandLine

/// casework-bench's `serve-load` suite, run tiny so its checks keep working: two clients overtaking one another on
/// one shared case lose no update and get no 5xx. The figures are the bench's; nothing here is timed. Each load runs
/// off Swift concurrency's threads (``offPool``), which the server's handlers need while the clients block.
@Suite struct ServeLoadTests {
    @Test func aTinyLoadLosesNoUpdateAndGetsNo5xx() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-serve-load-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try await offPool { try ServeLoad.run(ServeLoad.Options(database: directory.appendingPathComponent("cases.sqlite").path, definitions: Repository.definitions,
                                                         clients: 2, requestsPerClient: 10, sharedCases: 1)) }
        #expect(report.requests == 20)
        #expect(report.serverErrors == 0, "\(report.statuses)")
        #expect(report.unexpected == 0, "\(report.statuses)")
        #expect(report.lostUpdates.isEmpty, "\(report.lostUpdates)")
        #expect(report.acceptedFires >= 1)
        // Each client opens one case (step 0), reads five times and fires four times, each fire after a read of its case.
        #expect(report.statuses[201] == 2)
        #expect(report.acceptedFires + report.conflicts == 8)
    }

    @Test func aClientAloneFiresOnTheRevisionItJustReadSoEveryFireIsAccepted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-serve-load-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try await offPool { try ServeLoad.run(ServeLoad.Options(database: directory.appendingPathComponent("cases.sqlite").path, definitions: Repository.definitions,
                                                         clients: 1, requestsPerClient: 10, sharedCases: 3)) }
        #expect(report.acceptedFires == 4)
        #expect(report.conflicts == 0)
        #expect(report.lostUpdates.isEmpty, "\(report.lostUpdates)")
    }

    @Test func aLoadOfNoClientsIsRefused() {
        #expect(throws: ServeLoadFailure.self) {
            try ServeLoad.run(ServeLoad.Options(database: "unused.sqlite", definitions: Repository.definitions, clients: 0, requestsPerClient: 1, sharedCases: 1))
        }
    }
}
