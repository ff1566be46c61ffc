import CaseworkDefinitions
import CaseworkEngine
import CaseworkTestSupport

/// Issue 7's benchmark, with issue 16's figures: explained decisions on the generated workload (``PolicyWorkload``),
/// beside the hand-written Swift function that answers the same requests, in batches of 1,000, checking that the two
/// agree on every request.
///
/// Prints the median time per decision (each batch's time / 1,000, the median over every batch of three passes) and
/// the overall rate for both, their ratio, the agreement count, and the time per decision when its explanation (trace
/// and reasons) is read as well.
enum PolicyBenchmark {
    static let batchSize = 1_000
    static let requestCount = 100_000
    static let passes = 3

    static func run() {
        do {
            let catalog = try DefinitionCatalog.load(sources: PolicyWorkload.sources)
            guard let policy = catalog.policies["bench-portal"] else { return }
            var engine = BatchTiming()
            var floor = BatchTiming()
            var explained = BatchTiming()
            var decisions: [AccessDecision] = []
            decisions.reserveCapacity(batchSize)
            var answers: [(Bool, [String])] = []
            answers.reserveCapacity(batchSize)
            var disagreements = 0
            var allowed = 0
            var words = 0
            // The workload is generated afresh for each pass and held a batch at a time, so the suite's memory is the
            // policy's and one batch's, not 100,000 requests'.
            var batch: [AccessRequest] = []
            batch.reserveCapacity(batchSize)
            func measure(_ batch: ArraySlice<AccessRequest>, pass: Int, number: Int) {
                decisions.removeAll(keepingCapacity: true)
                answers.removeAll(keepingCapacity: true)
                engine.time(batch) { batch in
                    for request in batch { decisions.append(policy.decide(request)) }
                }
                floor.time(batch) { batch in
                    for request in batch { answers.append(PolicyWorkload.handWritten(request)) }
                }
                guard pass == 0 else { return }
                for (decision, answer) in zip(decisions, answers) {
                    if decision.allowed { allowed += 1 }
                    if decision.allowed != answer.0 || (decision.allowed && decision.redact != answer.1) { disagreements += 1 }
                }
                // One batch in ten again, reading each decision's whole explanation, as `casework decide` prints it.
                guard number % 10 == 0 else { return }
                explained.time(batch) { batch in
                    for request in batch {
                        let decision = policy.decide(request)
                        words += decision.trace.count + decision.reasons.count + decision.matched.count
                    }
                }
            }
            for pass in 0..<passes {
                var number = 0
                PolicyWorkload.forEachRequest(count: requestCount) { request in
                    batch.append(request)
                    guard batch.count == batchSize else { return }
                    measure(batch[...], pass: pass, number: number)
                    number += 1
                    batch.removeAll(keepingCapacity: true)
                }
            }
            let ratio = engine.medianMicroseconds / floor.medianMicroseconds
            print("policy: \(requestCount) requests, 2,000 actors, 5,000 cases, \(policy.definition.rules.count) rules (\(allowed) allowed)")
            print("  decisions (explanation kept, rendered when read)  median \(Measure.format(engine.medianMicroseconds, decimals: 3)) µs/decision, "
                + "\(Measure.format(engine.rate, decimals: 0)) decisions/s")
            print("  hand-written function (floor)                     median \(Measure.format(floor.medianMicroseconds, decimals: 3)) µs/decision, "
                + "\(Measure.format(floor.rate, decimals: 0)) decisions/s")
            print("  policy / function, median time                    \(Measure.format(ratio, decimals: 1))x")
            print("  decisions with the explanation read               median \(Measure.format(explained.medianMicroseconds, decimals: 3)) µs/decision "
                + "(trace, reasons and matched rules of \(explained.count) decisions, \(words) lines)")
            print("  agreement                                         \(requestCount - disagreements) of \(requestCount) requests")
            print("  (medians over \(passes) passes of \(requestCount / batchSize) batches of \(batchSize) requests)")
        } catch {
            print("policy: benchmark failed: \(error)")
        }
    }
}
