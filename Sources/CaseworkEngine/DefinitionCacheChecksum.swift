/// The checksum of a definition cache entry's payload (``DefinitionCache``): 64 bits over every byte and the length,
/// written as 16 hexadecimal characters.
///
/// It guards against damage (a truncated write, a changed byte, another program's file), not forgery: whoever can
/// write the cache's directory (its owner's, mode 0700) could as well write a matching SHA-256, and what keeps an
/// entry from being stale is its key, which stays the SHA-256 of every file's bytes. SHA-256 over the half-megabyte
/// payload was a fifth of a warm command's instructions (valgrind runs OpenSSL's generic code; natively about half a
/// millisecond); this is a few instructions a word.
///
/// Each step takes the state and the next 64-bit word (the last padded with zeros) to a new state by xor, a multiply
/// by an odd constant and a rotation: for a fixed word a one-to-one map of the state, and for a fixed state a
/// one-to-one map of the word. So two payloads of the same length that differ in exactly one word (any one changed
/// byte, or several inside one 8-byte word) always differ in their checksum, not just almost always; the length is
/// mixed in last, and other damage matches by chance one time in 2⁶⁴.
enum DefinitionCacheChecksum {
    /// The checksum of `bytes`, as 16 lower-case hexadecimal characters.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let value = checksum(bytes)
        return String(unsafeUninitializedCapacity: 16) { text in
            for index in 0..<16 {
                text[index] = hexDigits[Int(value >> UInt64(60 - 4 * index) & 0x0F)]
            }
            return 16
        }
    }

    /// The checksum of the bytes of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { hex($0) } }

    /// The 64-bit checksum of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var state: UInt64 = 0x243F_6A88_85A3_08D3
        let words = bytes.count / 8
        for index in 0..<words {
            state = step(state, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self)))
        }
        var last: UInt64 = 0
        for index in (8 * words)..<bytes.count {
            last |= UInt64(bytes[index]) << UInt64(8 * (index - 8 * words))
        }
        state = step(state, last)
        state = step(state, UInt64(bytes.count))
        // A final mixing (also one-to-one), so every input bit reaches every output bit.
        state ^= state >> 33
        state &*= 0xFF51_AFD7_ED55_8CCD
        state ^= state >> 33
        state &*= 0xC4CE_B9FE_1A85_EC53
        state ^= state >> 33
        return state
    }

    /// One step: one-to-one in `state` for a fixed `word`, and in `word` for a fixed `state`.
    private static func step(_ state: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
        return mixed << 31 | mixed >> 33
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
