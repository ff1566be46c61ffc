import Testing
@testable import CaseworkEngine

/// The checksum of a definition cache entry's payload (``DefinitionCacheChecksum``): any one changed byte and any cut
/// is a different checksum, always, and its values are pinned (a change to it must raise the cache's format).
@Suite("the definition cache's checksum")
struct DefinitionCacheChecksumTests {
    /// Bytes that are not all alike, 1,031 of them (not a whole number of 8-byte words, so the last word is partial).
    static let payload: [UInt8] = (0..<1_031).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 >> 3) }

    /// Every byte changed by each of these differences, at every position, gives another checksum.
    @Test(arguments: [UInt8(0x01), 0x20, 0x80, 0xFF])
    func everyChangedByteChangesTheChecksum(difference: UInt8) {
        let whole = DefinitionCacheChecksum.hex(Self.payload)
        for position in Self.payload.indices {
            var changed = Self.payload
            changed[position] ^= difference
            #expect(DefinitionCacheChecksum.hex(changed) != whole, "byte \(position) changed by \(difference)")
        }
    }

    /// Every prefix of the payload (every cut) and the payload with a zero byte appended have checksums distinct from
    /// the whole's and from each other's.
    @Test func everyCutAndEveryAddedZeroChangesTheChecksum() {
        var seen = Set<String>()
        for length in 0...Self.payload.count {
            #expect(seen.insert(DefinitionCacheChecksum.hex(Array(Self.payload.prefix(length)))).inserted, "cut at \(length)")
        }
        #expect(seen.insert(DefinitionCacheChecksum.hex(Self.payload + [0])).inserted)
    }

    /// The values are fixed: entries written by one build are read by the same code, and a different checksum needs a
    /// new ``DefinitionCache/formatVersion``.
    @Test func theValuesArePinned() {
        #expect(DefinitionCacheChecksum.hex([]) == "7a580b484b01bd3a")
        #expect(DefinitionCacheChecksum.hex(Array("casework definition cache".utf8)) == "b886da2a8670a832")
        #expect(DefinitionCacheChecksum.hex(Self.payload).count == 16)
    }
}
