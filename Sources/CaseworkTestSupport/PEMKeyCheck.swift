import CaseworkStore

/// What an audit checkpoint's keys promise of any bytes read as a PEM key file: the `pem-keys` fuzz target
/// (Fuzz/PEMKeys) and `FuzzRegressionTests` hold arbitrary bytes to it. `casework audit checkpoint --key` reads the
/// council's private key and `audit verify --checkpoints` the public key a checkpoint names, both as the file's text
/// (its bytes decoded as UTF-8, as the command line reads them), through libcrypto's PEM readers.
///
/// The bytes are read as a private key (``Ed25519PrivateKey/init(pem:)``) and as a public key
/// (``Ed25519PublicKey/init(pem:)``); each read:
/// - gives a key or an ``Ed25519Error``, never a trap, and the same answer when read again;
/// - when it gives a key, that key written as PEM again reads back to the same key;
/// - lets no made-up signature verify, and a private key's own signature verifies under its public key and over
///   nothing else.
///
/// A read that never ends (an encrypted key whose file asks for billions of key-derivation rounds was one, found by
/// hand in session 34) is the fuzzer's timeout to report, not this check's.
package enum PEMKeyCheck {
    /// A key read in a way a checkpoint's trust forbids.
    package struct Fault: Error, CustomStringConvertible {
        /// What went wrong.
        package let description: String
    }

    /// What a checkpoint's signature would cover, and another text it does not.
    static let message = Array("casework audit checkpoint 1 c1 2".utf8)
    static let otherMessage = Array("casework audit checkpoint 1 c1 3".utf8)

    /// Signatures nobody made: of Ed25519's length, of the lengths either side, and empty; and the neutral point
    /// with a zero scalar (`01 00 … 00`), which libcrypto verifies over every text under the key of the neutral point.
    static let madeUp: [[UInt8]] = [[UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xff, count: 64), (0..<64).map { UInt8($0) },
                                    [0x01] + [UInt8](repeating: 0, count: 63), [UInt8](repeating: 1, count: 63), [UInt8](repeating: 1, count: 65), []]

    /// Holds `bytes`, read as a PEM key file, to the promises above; the first broken one is thrown.
    package static func check(_ bytes: [UInt8]) throws(Fault) {
        let text = String(decoding: bytes, as: UTF8.self)
        try checkPrivate(text)
        try checkPublic(text)
    }

    /// The key `read` gives, reading the same text twice: nil when both reads refuse it for one reason; a fault when
    /// they disagree.
    private static func readTwice<Key>(_ kind: String, _ read: () throws(Ed25519Error) -> Key, same: (Key, Key) -> Bool) throws(Fault) -> Key? {
        switch (Result(catching: read), Result(catching: read)) {
        case (.failure(let one), .failure(let other)):
            guard one == other else { throw Fault(description: "the same text, read twice as a \(kind), was refused for \(one) and then for \(other)") }
            return nil
        case (.success(let key), .success(let again)):
            guard same(key, again) else { throw Fault(description: "the same text, read twice, gave two \(kind)s") }
            return key
        default:
            throw Fault(description: "the same text, read twice as a \(kind), was once read and once refused")
        }
    }

    private static func checkPrivate(_ text: String) throws(Fault) {
        guard let key = try readTwice("private key", { () throws(Ed25519Error) in try Ed25519PrivateKey(pem: text) }, same: { $0.publicKey == $1.publicKey }) else { return }
        let signature: [UInt8]
        do throws(Ed25519Error) {
            signature = try key.sign(message)
            try key.publicKey.verify(signature, of: message)
        } catch {
            throw Fault(description: "a private key that was read could not sign and verify: \(error)")
        }
        guard signature.count == 64 else { throw Fault(description: "a signature of \(signature.count) bytes") }
        if (try? key.publicKey.verify(signature, of: otherMessage)) != nil { throw Fault(description: "a signature verified over a text it was not made of") }
        let written: Ed25519PrivateKey
        do throws(Ed25519Error) {
            written = try Ed25519PrivateKey(pem: try key.pem())
        } catch {
            throw Fault(description: "a private key that was read, written as PEM, did not read back: \(error)")
        }
        guard written.publicKey == key.publicKey, (try? written.sign(message)) == signature else {
            throw Fault(description: "a private key written as PEM read back as another key")
        }
        try refuseMadeUp(key.publicKey)
    }

    private static func checkPublic(_ text: String) throws(Fault) {
        guard let key = try readTwice("public key", { () throws(Ed25519Error) in try Ed25519PublicKey(pem: text) }, same: ==) else { return }
        guard key.fingerprint.utf8.count == 64, key.fingerprint.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }) else {
            throw Fault(description: "a public key's fingerprint '\(key.fingerprint)' is not 64 lower-case hexadecimal digits")
        }
        guard (try? Ed25519PublicKey(pem: try key.pem())) == key else { throw Fault(description: "a public key written as PEM did not read back as itself") }
        try refuseMadeUp(key)
    }

    private static func refuseMadeUp(_ key: Ed25519PublicKey) throws(Fault) {
        for signature in madeUp {
            do throws(Ed25519Error) {
                try key.verify(signature, of: message)
            } catch .signatureDoesNotVerify {
                continue
            } catch {
                throw Fault(description: "checking a made-up signature of \(signature.count) bytes failed with \(error), not as one that does not verify")
            }
            throw Fault(description: "a made-up signature of \(signature.count) bytes verified under \(key)")
        }
    }
}
