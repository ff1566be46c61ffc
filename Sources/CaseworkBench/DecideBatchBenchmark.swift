import Casework
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTestSupport
import CaseworkTime
import Foundation
import Synchronization

/// Issue 10's benchmark: `casework decide --batch` run in this process on 100,000 request lines (the policy
/// benchmark's workload, written as JSON against the repository's `Workflows/` and `Policies/`), with the time,
/// the requests per second and the process's peak resident memory.
///
/// The lines are written to a file as they are generated, so the workload is never held in memory; the file is
/// left in place and its path printed, to time the real command on the same input:
/// `/usr/bin/time -v .build/release/casework decide --batch FILE --definitions Workflows --definitions Policies > /dev/null`.
enum DecideBatchBenchmark {
    static let requestCount = 100_000

    /// A console that counts the answers and drops them, as `> /dev/null` would.
    final class CountingConsole: Console {
        private let counts = Mutex((lines: 0, errors: 0, bytes: 0))
        var lines: Int { counts.withLock { $0.lines } }
        var errors: Int { counts.withLock { $0.errors } }
        var bytes: Int { counts.withLock { $0.bytes } }

        func out(_ text: String) {
            counts.withLock { counts in
                counts.bytes += text.utf8.count
                for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
                    counts.lines += 1
                    if line.starts(with: "{\"error\"".utf8) { counts.errors += 1 }
                }
            }
        }

        func err(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// A request as a line of `casework decide --batch` input.
    static func line(_ request: AccessRequest) throws -> Data {
        var fields: [String: Any] = [:]
        if case .date(let date)? = request.fields["child.date_of_birth"] { fields["child"] = ["date_of_birth": date.description] }
        var actor: [String: Any] = ["id": request.actor.id, "role": request.actor.role]
        for (name, value) in request.attributes {
            switch value {
            case .bool(let flag): actor[name] = flag
            case .string(let text): actor[name] = text
            default: continue
            }
        }
        let object: [String: Any] = [
            "actor": actor, "action": request.action, "resource": request.resource,
            "case": ["id": request.caseID, "workflow": request.workflow, "state": request.state, "fields": fields] as [String: Any],
            "grants": request.grants.map { ["to": $0.to.description, "level": $0.level] },
            "at": request.at.formatted(.iso8601),
        ]
        var data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// The process's peak resident memory so far, in megabytes (`ru_maxrss` is in kilobytes on Linux, bytes on macOS).
    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        #if os(macOS)
            getrusage(RUSAGE_SELF, &usage)
            return Double(usage.ru_maxrss) / 1_048_576
        #else
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_maxrss) / 1_024
        #endif
    }

    static func run() {
        do {
            let catalog = try DefinitionCatalog.load(paths: ["Workflows", "Policies"])
            guard let workflow = catalog.workflows["ehcp-needs-assessment"]?.definition else {
                print("decide-batch: run from the repository's root, where Workflows/ehcp-needs-assessment.yaml is")
                return
            }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("casework-decide-batch-\(requestCount).jsonl")
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                print("decide-batch: cannot create \(url.path)")
                return
            }
            let file = try FileHandle(forWritingTo: url)
            var block = Data()
            try PolicyWorkload.forEachRequest(count: requestCount, workflow: workflow.id.value, states: workflow.states.map(\.name.value),
                                               fields: ["child.date_of_birth": .date(CalendarDate("2012-03-02")!)]) { request in
                block.append(try line(request))
                if block.count > 1 << 20 {
                    try file.write(contentsOf: block)
                    block.removeAll(keepingCapacity: true)
                }
            }
            try file.write(contentsOf: block)
            try file.close()
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            let before = peakResidentMegabytes()
            let console = CountingConsole()
            let start = DispatchTime.now().uptimeNanoseconds
            let status = CaseworkCommand.run(["decide", "--batch", url.path, "--definitions", "Workflows", "--definitions", "Policies"], console: console)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let after = peakResidentMegabytes()
            print("decide-batch: \(requestCount) request lines, \(Measure.format(Double(size) / 1_000_000)) MB, in \(url.path)")
            print("  in process (casework decide --batch)  \(Measure.format(seconds, decimals: 2)) s, "
                + "\(Measure.format(Double(requestCount) / seconds, decimals: 0)) requests/s, exit \(status.rawValue)")
            print("  answers                                \(console.lines) lines (\(console.errors) errors), "
                + "\(Measure.format(Double(console.bytes) / 1_000_000)) MB of output")
            print("  peak resident memory (ru_maxrss)       \(Measure.format(before)) MB before the batch, \(Measure.format(after)) MB after")
            print("  the real command on the same file:     /usr/bin/time -v .build/release/casework decide --batch \(url.path) "
                + "--definitions Workflows --definitions Policies > /dev/null")
        } catch {
            print("decide-batch: benchmark failed: \(error)")
        }
    }
}
