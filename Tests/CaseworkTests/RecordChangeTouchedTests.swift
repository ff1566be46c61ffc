@testable import CaseworkDefinitions
@testable import CaseworkExpressions
@testable import CaseworkStore
import CaseworkTestSupport
import Foundation
import Testing

/// The fire's fast path to its audited change (``RecordChange/between(_:_:fieldsTouched:given:)`` told which fields the step
/// touched) against the slow one that compares every field of both records: the same change, over random records and
/// steps that set, overwrite with the same value, and clear fields, naming among the touched paths some that did not change.
@Suite("RecordChange: the touched-fields path agrees with comparing every field")
struct RecordChangeTouchedTests {
    @Test(arguments: [1, 2, 3, 4])
    func theChangeIsTheSameWhenOnlyTheTouchedFieldsAreCompared(seed: UInt64) {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        var compared = 0
        var sawSet = false, sawCleared = false
        for _ in 0..<500 {
            let before = generator.record()
            var after = before
            var touched: [String] = []
            for _ in 0..<Int(generator.random.next() % 5) {
                let existing = before.fields.keys.sorted()
                let path = !existing.isEmpty && generator.chance() ? generator.pick(existing) : generator.text()
                switch generator.random.next() % 3 {
                case 0: after.fields[path] = generator.value()
                case 1: after.fields[path] = before.fields[path] ?? generator.value()
                default: after.fields[path] = nil
                }
                if !touched.contains(path) { touched.append(path) }
            }
            if generator.chance() { after.state = generator.text() }
            if generator.chance() { after.forms = generator.forms() }
            let slow = RecordChange.between(before, after)
            let fast = RecordChange.between(before, after, fieldsTouched: touched)
            #expect(fast == slow)
            sawSet = sawSet || !slow.setFields.isEmpty
            sawCleared = sawCleared || !slow.clearedFields.isEmpty
            compared += 1
        }
        #expect(compared == 500)
        #expect(sawSet && sawCleared, "the steps both set and cleared fields, so both parts were compared")
    }
}
