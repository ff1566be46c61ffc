import Foundation

/// `casework-bench [SUITE ...]`: runs the release-build benchmarks and prints their figures.
///
/// Every figure is printed beside a baseline measured in the same process, as a
/// ratio, because absolute times on a shared two-core machine mean little. After each suite it prints the
/// process's peak resident memory while that suite ran.
let suites: [String: () -> Void] = [
    "validate": ValidateBenchmark.run,
    "expressions": ExpressionBenchmark.run,
    "engine": EngineBenchmark.run,
    "engine-memory": EngineBenchmark.runInMemory,
    "group-commit": GroupCommitBenchmark.run,
    "group-commit-sqlite": GroupCommitBenchmark.runSQLite,
    "group-commit-postgres": GroupCommitBenchmark.runPostgres,
    "tick": TickBenchmark.run,
    "policy": PolicyBenchmark.run,
    "decide-batch": DecideBatchBenchmark.run,
    "checkpoint": CheckpointBenchmark.run,
    "bearer-keys": BearerKeyBenchmark.run,
    "report": ReportBenchmark.run,
    "postgres": PostgresBenchmark.run,
    "cli": CommandLineBenchmark.run,
    "serve-load": ServeLoadBenchmark.run,
]
let requested = CommandLine.arguments.dropFirst()
do {
    if try TickBenchmark.fill(probe: Array(requested)) { exit(0) }
} catch {
    FileHandle.standardError.write(Data("probe failed: \(error)\n".utf8))
    exit(1)
}
/// Suites that run a part of another, named only to run that part alone: left out when every suite runs.
let parts: Set<String> = ["engine-memory", "group-commit-sqlite", "group-commit-postgres"]
let names = requested.isEmpty ? suites.keys.sorted().filter { !parts.contains($0) } : Array(requested)
for name in names {
    guard let suite = suites[name] else {
        FileHandle.standardError.write(Data("unknown benchmark '\(name)'; choose from: \(suites.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    let peakKnown = Measure.resetPeakResident()
    let atStart = Measure.residentBytes()
    suite()
    if peakKnown, let peak = Measure.peakResidentBytes(), let atStart {
        // Memory an earlier suite freed can stay with the process, so the peak is read beside where the suite began.
        print("\(name): peak memory \(Measure.megabytes(peak)) resident while this suite ran (\(Measure.megabytes(atStart)) when it began; run the suite alone for its own figure)")
    } else {
        print("\(name): peak memory not measured (this kernel cannot reset the peak through /proc/self/clear_refs)")
    }
}
