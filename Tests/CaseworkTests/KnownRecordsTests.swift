import CaseworkStoreConformance
import Testing

@testable import CaseworkStore

/// The records a durable store last wrote or read (``KnownRecords``): one kept per case, replaced when its case's text
/// changes, and the whole set started again past its limits.
@Suite("Stores: records kept with the text their rows hold")
struct KnownRecordsTests {
    @Test func aRecordIsHandedBackOnlyForTheTextItWasKeptWith() {
        let known = KnownRecords()
        known.keep(Fixture.record("c1", revision: 1), storedAs: "one")
        #expect(known.record(caseID: "c1", storedAs: "one")?.revision == 1)
        #expect(known.record(caseID: "c1", storedAs: "two") == nil, "a row holding other text is decoded")
        known.keep(Fixture.record("c1", revision: 2), storedAs: "two")
        #expect(known.record(caseID: "c1", storedAs: "two")?.revision == 2, "the new record replaces the old")
        #expect(known.record(caseID: "c1", storedAs: "one") == nil, "the old text no longer matches")
        #expect(known.record(caseID: "c2", storedAs: "one") == nil, "a case never kept")
    }

    @Test func replacingARecordAtTheLimitKeepsTheOthers() {
        let known = KnownRecords()
        for index in 0..<KnownRecords.capacity { known.keep(Fixture.record("c\(index)"), storedAs: "text \(index)") }
        known.keep(Fixture.record("c0", revision: 2), storedAs: "text 0, again")
        #expect(known.record(caseID: "c0", storedAs: "text 0, again")?.revision == 2)
        #expect(known.record(caseID: "c1", storedAs: "text 1") != nil, "a full set whose case is replaced is not started again")
        known.keep(Fixture.record("new"), storedAs: "new text")
        #expect(known.record(caseID: "new", storedAs: "new text") != nil, "the record past the limit is kept")
        #expect(known.record(caseID: "c1", storedAs: "text 1") == nil, "and the set started again with it alone")
    }

    @Test func textPastTheByteLimitStartsTheSetAgain() {
        let known = KnownRecords()
        let half = String(repeating: "a", count: KnownRecords.textCapacity / 2)
        known.keep(Fixture.record("c1"), storedAs: half)
        known.keep(Fixture.record("c2"), storedAs: half)
        #expect(known.record(caseID: "c1", storedAs: half) != nil, "two halves fit")
        known.keep(Fixture.record("c3"), storedAs: "b")
        #expect(known.record(caseID: "c3", storedAs: "b") != nil)
        #expect(known.record(caseID: "c1", storedAs: half) == nil, "one byte more started the set again")
        known.keep(Fixture.record("c4"), storedAs: String(repeating: "c", count: KnownRecords.textCapacity + 1))
        known.keep(Fixture.record("c3"), storedAs: String(repeating: "c", count: KnownRecords.textCapacity + 1))
        #expect(known.record(caseID: "c3", storedAs: "b") == nil, "a text too large to keep forgets the case's old one")
    }
}
