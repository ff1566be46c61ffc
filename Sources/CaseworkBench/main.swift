import Foundation

/// `casework-bench [SUITE ...]`: runs the release-build benchmarks and prints their figures.
///
/// Every figure is printed beside a baseline measured in the same process, as a
/// ratio, because absolute times on a shared two-core machine mean little.
let suites: [String: () -> Void] = [
    "validate": ValidateBenchmark.run,
    "expressions": ExpressionBenchmark.run,
    "engine": EngineBenchmark.run,
    "group-commit": GroupCommitBenchmark.run,
    "tick": TickBenchmark.run,
    "policy": PolicyBenchmark.run,
    "decide-batch": DecideBatchBenchmark.run,
    "checkpoint": CheckpointBenchmark.run,
    "report": ReportBenchmark.run,
    "postgres": PostgresBenchmark.run,
    "cli": CommandLineBenchmark.run,
]
let requested = CommandLine.arguments.dropFirst()
let names = requested.isEmpty ? suites.keys.sorted() : Array(requested)
for name in names {
    guard let suite = suites[name] else {
        FileHandle.standardError.write(Data("unknown benchmark '\(name)'; choose from: \(suites.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    suite()
}
