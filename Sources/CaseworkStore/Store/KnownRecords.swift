import CaseworkDefinitions
import Foundation
import Synchronization

/// The case records a durable store last wrote or read, each kept with the exact text its row holds, so loading a case
/// whose row still holds that text hands back the record without decoding it again: a service's fire reads back the
/// record its last fire on the case wrote, and decoding it was a tenth of a durable fire's instructions.
///
/// Nothing is trusted that the row does not still say: every load reads the row, and a record is handed back only
/// when the row's bytes are the kept text's, byte for byte, so another connection's or process's change (a new
/// revision, a repair, anything) is decoded as before. Equal bytes decode to equal records (`StoredRowFormatTests`
/// proves that what the stores' writer writes reads back as the value it was written from), so a load answers exactly
/// what decoding would. The store still checks the record as for a decoded one (its id, its counters).
///
/// At most ``capacity`` records and ``textCapacity`` bytes of text are kept; past either it starts again.
package final class KnownRecords: Sendable {
    /// The most records kept.
    static let capacity = 1_024
    /// The most bytes of stored text kept, summed over the records.
    static let textCapacity = 8 << 20

    private struct Known {
        let text: String
        let record: CaseRecord
    }

    private struct State {
        var known: [String: Known] = [:]
        var textBytes = 0
    }

    private let state = Mutex(State())

    /// An empty set.
    package init() {}

    /// The kept record of `caseID` when `stored` (the bytes its row holds now) is exactly the text it was kept with;
    /// otherwise nil, and the caller decodes the row.
    package func record(caseID: String, storedAs stored: UnsafeRawBufferPointer) -> CaseRecord? {
        guard let known = state.withLock({ $0.known[caseID] }) else { return nil }
        var text = known.text
        let same = text.withUTF8 { kept in
            guard kept.count == stored.count else { return false }
            guard let keptBytes = kept.baseAddress, let storedBytes = stored.baseAddress else { return kept.isEmpty }
            return memcmp(keptBytes, storedBytes, kept.count) == 0
        }
        return same ? known.record : nil
    }

    /// The kept record of `caseID` when `stored`, the text its row holds now, is exactly the text it was kept with.
    package func record(caseID: String, storedAs stored: String) -> CaseRecord? {
        var stored = stored
        return stored.withUTF8 { record(caseID: caseID, storedAs: UnsafeRawBufferPointer($0)) }
    }

    /// Keeps `record` as the record its row holds while the row holds `text` (what the store wrote, or decoded it from).
    package func keep(_ record: CaseRecord, storedAs text: String) {
        let bytes = text.utf8.count
        state.withLock { state in
            if let old = state.known.removeValue(forKey: record.id) { state.textBytes -= old.text.utf8.count }
            guard bytes <= Self.textCapacity else { return }
            if state.known.count >= Self.capacity || state.textBytes + bytes > Self.textCapacity { state = State() }
            state.known[record.id] = Known(text: text, record: record)
            state.textBytes += bytes
        }
    }
}
