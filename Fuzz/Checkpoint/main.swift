// libFuzzer target: a signed audit checkpoint's text, as `casework audit verify --checkpoints DIR` reads every file
// of the directory (`AuditCheckpoint.parse`, which accepts only the canonical text), then its signature checked with
// the council's public key. The seeds (Fuzz/corpus/checkpoint) were written by `casework audit checkpoint` with the
// private half of that key (`AuditCheckpointTests.opensslPrivateKey`), so inputs near them reach the signature check.
// A checkpoint that reads is held to having exactly one text: its own.
import CaseworkStore
import Foundation
import FuzzSupport

/// The council's public key: `AuditCheckpointTests.opensslPublicKey`.
let publicKey = try! Ed25519PublicKey(pem: """
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEAuNFd2Mp9wHPyCy8oeLnnwTPsEphV+Nk7JIlZ+KgJz2c=
    -----END PUBLIC KEY-----

    """)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // As the command line: a file that is not UTF-8 is refused before it is parsed.
    guard let text = String(data: Data(UnsafeBufferPointer(start: data, count: size)), encoding: .utf8),
          let checkpoint = try? AuditCheckpoint.parse(text: text) else { return 0 }
    guard checkpoint.text == text else { fatalError("a checkpoint was read from text it does not write: \(checkpoint.text)") }
    _ = try? checkpoint.verify(publicKey: publicKey)
    return 0
}

runFuzzer(fuzz)
