import CCrypto
import CSQLite
import Foundation
import Testing
import Casework
import CaseworkCommandLine
import CaseworkSQLite

/// Issue 11: checkpoints an insider cannot rewrite. Keys and the file format, then the commands on a real
/// SQLite file tampered with as someone holding the file (but not the signing key) could.
@Suite("signed audit checkpoints")
struct AuditCheckpointTests {
    // MARK: Keys

    /// A throwaway key pair made with `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`.
    static let opensslPrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEICjilVmN9WzN3J2VCcHoVG0si0H3L9GA8GmgMeR1JzFt
        -----END PRIVATE KEY-----

        """
    static let opensslPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAuNFd2Mp9wHPyCy8oeLnnwTPsEphV+Nk7JIlZ+KgJz2c=
        -----END PUBLIC KEY-----

        """
    /// `openssl pkey -pubin -in key.pub -outform DER | sha256sum`.
    static let opensslFingerprint = "812a3210b9b00b073397a7c81f32dc9744f5e60966d3b9275d41074b772979cc"
    /// `printf casework | openssl pkeyutl -sign -inkey key.pem -rawin | base64`.
    static let opensslSignatureOfCasework = "FbCHguIuSe0LC9+CD3onKYJSLxQinA+a4l+3fNn25AY+rj1XHgMZJ/A5OZxDStjKxIK6jXYgFKiwArcNWCQODQ=="
    /// A P-256 key (`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`), which is not Ed25519.
    static let ecPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEr8+rnZY8+J2EBwL0Rvz25pyGdyIW
        j1vo6TcXQ9nFMJRWiffjcQDiiDXbc7yyTBPGEKcNarXcbbYz8QNJnlUVYg==
        -----END PUBLIC KEY-----

        """
    static let ecPrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGBiaRCAenvovhK8y
        Z5SCKA/6P3m0saxPU61UFA+vxVihRANCAASvz6udljz4nYQHAvRG/PbmnIZ3IhaP
        W+jpNxdD2cUwlFaJ9+NxAOKINdtzvLJME8YQpw1qtdxttjPxA0meVRVi
        -----END PRIVATE KEY-----

        """

    @Test func keysMadeByOpenSSLAreReadAndAgreeWithIt() throws {
        let key = try Ed25519PrivateKey(pem: Self.opensslPrivateKey)
        let publicKey = try Ed25519PublicKey(pem: Self.opensslPublicKey)
        #expect(key.publicKey == publicKey)
        #expect(publicKey.fingerprint == Self.opensslFingerprint)
        #expect(try key.sign(Array("casework".utf8)) == Array(try #require(Data(base64Encoded: Self.opensslSignatureOfCasework))),
                "Ed25519 is deterministic: the same key signs the same bytes as openssl does")
        #expect(try publicKey.pem() == Self.opensslPublicKey.replacingOccurrences(of: "\n\n", with: "\n"))
        #expect(!"\(key)".contains("MC4CAQ"), "a private key's description never shows the key")
    }

    @Test func generatedKeysRoundTripThroughPEMAndSign() throws {
        let key = try Ed25519PrivateKey.generate()
        let again = try Ed25519PrivateKey(pem: try key.pem())
        #expect(again.publicKey == key.publicKey)
        #expect(try Ed25519PublicKey(pem: try key.publicKey.pem()) == key.publicKey)
        #expect(try Ed25519PrivateKey.generate().publicKey != key.publicKey)
        let message = Array("case c1 3 events".utf8)
        let signature = try key.sign(message)
        #expect(signature.count == 64)
        try key.publicKey.verify(signature, of: message)
        #expect(throws: Ed25519Error.signatureDoesNotVerify) { try key.publicKey.verify(signature, of: Array("case c1 2 events".utf8)) }
        #expect(throws: Ed25519Error.signatureDoesNotVerify) { try Ed25519PrivateKey.generate().publicKey.verify(signature, of: message) }
        #expect(throws: Ed25519Error.signatureDoesNotVerify) { try key.publicKey.verify(Array(signature.prefix(63)), of: message) }
    }

    /// Texts that are not keys of the kind asked for, and what each reader says (nil: it reads).
    static let badKeys: [(text: String, asPrivate: Ed25519Error?, asPublic: Ed25519Error?)] = [
        ("", .invalidKey(expected: "private key"), .invalidKey(expected: "public key")),
        ("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", .invalidKey(expected: "private key"), .invalidKey(expected: "public key")),
        (opensslPublicKey, .invalidKey(expected: "private key"), nil),
        (opensslPrivateKey, nil, .invalidKey(expected: "public key")),
        (ecPublicKey, .invalidKey(expected: "private key"), .notEd25519),
        (ecPrivateKey, .notEd25519, .invalidKey(expected: "public key")),
        (encryptedUnderTheEmptyPassphrase, .invalidKey(expected: "private key"), .invalidKey(expected: "public key")),
        (encryptedAskingManyRounds, .invalidKey(expected: "private key"), .invalidKey(expected: "public key")),
        (publicKey(raw: [0x01] + [UInt8](repeating: 0, count: 31)), .invalidKey(expected: "private key"), .smallOrder),
    ]

    /// `opensslPrivateKey` encrypted by `openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 2048 -passout pass:`. libcrypto
    /// read it as a plain key when the passphrase callback answered 0 (an empty passphrase), until session 34.
    static let encryptedUnderTheEmptyPassphrase = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjs3W+nnwxg9QICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEKBXXgshmirk3nzThcqftggEQBtQ
        umtPHePGWe34r8M/XrcgZfNVsPaZYU5EqbfR3gf3f6QPX3PJnnMKl0etKx5ps4y2
        rfK3aoPkBwBh1S8An9A=
        -----END ENCRYPTED PRIVATE KEY-----

        """
    /// The same key encrypted under another passphrase, its PBKDF2 round count then set to 2^26 (the DER's INTEGER
    /// widened by hand): before session 34 each read ran those rounds with an empty passphrase, about 37 s here, and
    /// 2^31 − 1 rounds about twenty minutes. The same text is a seed of the `pem-keys` fuzz target.
    static let encryptedAskingManyRounds = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGdMFkGCSqGSIb3DQEFDTBMMCsGCSqGSIb3DQEFDDAeBAhM7YiCB9N5CQIEBAAA
        ADAMBggqhkiG9w0CCQUAMB0GCWCGSAFlAwQBKgQQJ4CxrHNpcmAJxzQ9vEoY4ARA
        Xh8cqBPKSj2VTYHDXFDFCr+LKE/oy63NrES7DkXOhlvMzyKFdHAsiSt5lHIyvUGu
        0YXKVgLwsfaUaXYnTJgHgg==
        -----END ENCRYPTED PRIVATE KEY-----

        """

    /// An Ed25519 public key's PEM for any 32 raw bytes: the DER `SubjectPublicKeyInfo` prefix, then the bytes.
    static func publicKey(raw: [UInt8]) -> String {
        let der = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + raw
        return "-----BEGIN PUBLIC KEY-----\n\(Data(der).base64EncodedString())\n-----END PUBLIC KEY-----\n"
    }

    /// The fourteen encodings of points of small order: the seven the reader refuses, each with x's sign bit clear
    /// and set.
    static let smallOrderEncodings = Ed25519PublicKey.smallOrderEncodings + Ed25519PublicKey.smallOrderEncodings.map { Array($0.dropLast()) + [$0[31] | 0x80] }

    /// Whether libcrypto itself, given `raw` as an Ed25519 public key, verifies `signature` over `message`.
    static func libcryptoVerifies(raw: [UInt8], _ signature: [UInt8], over message: [UInt8]) throws -> Bool {
        let key = try #require(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count))
        defer { EVP_PKEY_free(key) }
        let context = try #require(EVP_MD_CTX_new())
        defer { EVP_MD_CTX_free(context) }
        #expect(EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1)
        defer { ERR_clear_error() }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    /// Every key of small order is refused when read, and each is one libcrypto would have let signatures nobody made
    /// verify under: for each, some signature of a small-order point and a zero scalar verifies over one of sixteen
    /// texts, while under the council's key none of them does.
    @Test(arguments: AuditCheckpointTests.smallOrderEncodings.indices) func smallOrderKeysAreRefused(_ index: Int) throws {
        #expect(Ed25519PublicKey.smallOrderEncodings.count == 7 && Ed25519PublicKey.smallOrderEncodings.allSatisfy { $0.count == 32 && $0[31] & 0x80 == 0 })
        let raw = Self.smallOrderEncodings[index]
        #expect(throws: Ed25519Error.smallOrder) { try Ed25519PublicKey(pem: Self.publicKey(raw: raw)) }
        let forgeries = Self.smallOrderEncodings.map { $0 + [UInt8](repeating: 0, count: 32) }
        let council = try Ed25519PrivateKey(pem: Self.opensslPrivateKey).publicKey
        let councilRaw = try #require(Data(base64Encoded: String(Self.opensslPublicKey.split(separator: "\n")[1]))).suffix(32)
        #expect(try Ed25519PublicKey(pem: Self.publicKey(raw: Array(councilRaw))) == council)
        var forgedUnderIt = 0
        for number in 0..<16 {
            let message = Array("casework checkpoint \(number)".utf8)
            if try forgeries.contains(where: { try Self.libcryptoVerifies(raw: raw, $0, over: message) }) { forgedUnderIt += 1 }
            #expect(try !forgeries.contains { try Self.libcryptoVerifies(raw: Array(councilRaw), $0, over: message) })
        }
        #expect(forgedUnderIt > 0, "no forgery verified under a key of small order")
    }

    @Test(arguments: AuditCheckpointTests.badKeys.indices) func keysOfTheWrongKindAreRefused(_ index: Int) throws {
        let bad = Self.badKeys[index]
        if let error = bad.asPrivate {
            #expect(throws: error) { try Ed25519PrivateKey(pem: bad.text) }
        } else {
            _ = try Ed25519PrivateKey(pem: bad.text)
        }
        if let error = bad.asPublic {
            #expect(throws: error) { try Ed25519PublicKey(pem: bad.text) }
        } else {
            _ = try Ed25519PublicKey(pem: bad.text)
        }
    }

    @Test func errorMessagesSayWhatIsWrong() {
        #expect(Ed25519Error.invalidKey(expected: "public key").description == "invalid key: expected an unencrypted PEM Ed25519 public key")
        #expect(Ed25519Error.notEd25519.description == "not an Ed25519 key: make one with 'openssl genpkey -algorithm ed25519'")
        #expect(Ed25519Error.signatureDoesNotVerify.description == "signature does not verify")
        #expect(Ed25519Error.smallOrder.description
                == "not a usable key: signatures anyone can write verify under it (a point of small order); make one with 'openssl genpkey -algorithm ed25519'")
    }

    // MARK: The file format

    static let heads = [
        CaseHead(caseID: "c2", events: 1, hash: String(repeating: "b", count: 64)),
        CaseHead(caseID: "c1", events: 12, hash: String(repeating: "a", count: 64)),
    ]
    static let moment = Date(timeIntervalSince1970: 1_768_210_200.75)  // 2026-01-12T09:30:00.75Z

    @Test func aCheckpointIsCanonicalTextThatRoundTrips() throws {
        let key = try Ed25519PrivateKey(pem: Self.opensslPrivateKey)
        let checkpoint = try AuditCheckpoint.make(heads: Self.heads, at: Self.moment, signingKey: key)
        #expect(checkpoint.signedText == """
            casework-checkpoint 1
            created_at 2026-01-12T09:30:00Z
            key_sha256 \(Self.opensslFingerprint)
            cases 2
            c1 12 \(String(repeating: "a", count: 64))
            c2 1 \(String(repeating: "b", count: 64))

            """)
        #expect(checkpoint.text == checkpoint.signedText + "signature \(Data(checkpoint.signature).base64EncodedString())\n")
        #expect(checkpoint.suggestedFileName == "checkpoint-20260112T093000Z.txt")
        let parsed = try AuditCheckpoint.parse(text: checkpoint.text)
        #expect(parsed == checkpoint)
        #expect(try parsed.verify(publicKey: key.publicKey).checkpoint == checkpoint)
        let empty = try AuditCheckpoint.make(heads: [], at: Self.moment, signingKey: key)
        #expect(try AuditCheckpoint.parse(text: empty.text).verify(publicKey: key.publicKey).checkpoint.heads.isEmpty)
    }

    /// Edits to a good checkpoint's text, and what reading or verifying the result says.
    static let edits: [(name: String, edit: @Sendable (String) -> String, error: CheckpointError)] = [
        ("no final line break", { String($0.dropLast()) }, .malformed(line: 7, reason: "the last line does not end with a line break")),
        ("another version", { $0.replacingOccurrences(of: "casework-checkpoint 1", with: "casework-checkpoint 2") }, .unsupportedVersion("2")),
        ("not a checkpoint", { "hello\n" + $0 }, .malformed(line: 1, reason: "expected 'casework-checkpoint 1'")),
        ("no signature", { $0.components(separatedBy: "signature ")[0] }, .unsigned),
        ("a line after the signature", { $0 + "c3 1 \(String(repeating: "c", count: 64))\n" }, .malformed(line: 8, reason: "nothing may follow the signature")),
        ("a case line removed", { $0.replacingOccurrences(of: "c2 1 \(String(repeating: "b", count: 64))\n", with: "") },
         .malformed(line: 4, reason: "the file lists another number of cases than this line says")),
        ("the largest count", { $0.replacingOccurrences(of: "cases 2\n", with: "cases \(Int.max)\n") },
         .malformed(line: 4, reason: "the file lists another number of cases than this line says")),
        ("a count past the lines", { $0.replacingOccurrences(of: "cases 2\n", with: "cases 3\n") },
         .malformed(line: 4, reason: "the file lists another number of cases than this line says")),
        ("a count past a number", { $0.replacingOccurrences(of: "cases 2\n", with: "cases 99999999999999999999\n") },
         .malformed(line: 4, reason: "expected the number of cases")),
        ("a negative count", { $0.replacingOccurrences(of: "cases 2\n", with: "cases -1\n") }, .malformed(line: 4, reason: "expected the number of cases")),
        ("a leading zero", { $0.replacingOccurrences(of: "c1 12 ", with: "c1 012 ") },
         .malformed(line: 0, reason: "not in canonical form (plain decimal numbers, whole-second UTC time, base64 with padding)")),
        ("cases out of order", { text in
            let a = "c1 12 \(String(repeating: "a", count: 64))\n", b = "c2 1 \(String(repeating: "b", count: 64))\n"
            return text.replacingOccurrences(of: a + b, with: b + a)
        }, .malformed(line: 6, reason: "case ids must be usable ids, sorted and unique")),
        ("an upper-case hash", { $0.replacingOccurrences(of: String(repeating: "a", count: 64), with: String(repeating: "A", count: 64)) },
         .malformed(line: 5, reason: "expected 'CASE_ID EVENTS HEAD_HASH'")),
        ("a changed count", { $0.replacingOccurrences(of: "c1 12 ", with: "c1 11 ") }, .key(.signatureDoesNotVerify)),
        ("a changed time", { $0.replacingOccurrences(of: "09:30:00Z", with: "09:31:00Z") }, .key(.signatureDoesNotVerify)),
        ("a changed signature", { $0.replacingOccurrences(of: "signature ", with: "signature AAAA") }, .key(.signatureDoesNotVerify)),
    ]

    @Test(arguments: AuditCheckpointTests.edits.indices) func editedCheckpointsAreRefused(_ index: Int) throws {
        let key = try Ed25519PrivateKey(pem: Self.opensslPrivateKey)
        let text = try AuditCheckpoint.make(heads: Self.heads, at: Self.moment, signingKey: key).text
        let edit = Self.edits[index]
        #expect(throws: edit.error, "\(edit.name)") { _ = try AuditCheckpoint.parse(text: edit.edit(text)).verify(publicKey: key.publicKey) }
    }

    @Test func aCheckpointSignedByAnotherKeyIsRefusedEvenWhenItClaimsTheCouncilsFingerprint() throws {
        let council = try Ed25519PrivateKey(pem: Self.opensslPrivateKey)
        let insider = try Ed25519PrivateKey.generate()
        var forged = try AuditCheckpoint.make(heads: Self.heads, at: Self.moment, signingKey: insider)
        #expect(throws: CheckpointError.otherKey(signedBy: insider.publicKey.fingerprint, given: council.publicKey.fingerprint)) {
            try forged.verify(publicKey: council.publicKey)
        }
        forged.keyFingerprint = council.publicKey.fingerprint
        #expect(throws: CheckpointError.key(.signatureDoesNotVerify)) { try AuditCheckpoint.parse(text: forged.text).verify(publicKey: council.publicKey) }
    }

    @Test func headsThatCannotBeWrittenAreRefused() throws {
        let key = try Ed25519PrivateKey.generate()
        let hash = String(repeating: "a", count: 64)
        #expect(throws: CheckpointError.unusableCaseID("c 1")) {
            try AuditCheckpoint.make(heads: [CaseHead(caseID: "c 1", events: 1, hash: hash)], at: Self.moment, signingKey: key)
        }
        #expect(throws: CheckpointError.malformed(line: 0, reason: "case 'c1' is given twice")) {
            try AuditCheckpoint.make(heads: [CaseHead(caseID: "c1", events: 1, hash: hash), CaseHead(caseID: "c1", events: 2, hash: hash)], at: Self.moment, signingKey: key)
        }
    }

    // MARK: The commands on a tampered database

    /// Ways to tamper with the database or with the evidence, each by someone who holds the database file but not the key.
    enum Tampering: String, CaseIterable, Sendable {
        /// Edit an event's stored text and nothing else.
        case editedEvent
        /// Edit an event, then recompute every later hash and the case's head.
        case rewrittenChain
        /// Delete the last event and point the case's head at the one before.
        case truncatedTail
        /// Delete a whole case with its events.
        case deletedCase
        /// Change a count in the checkpoint file to agree with a truncated chain.
        case alteredCheckpoint
        /// Remove the checkpoint's signature line.
        case unsignedCheckpoint
        /// Add a checkpoint signed with the insider's own key.
        case otherKeyCheckpoint
        /// Replace the checkpoint with one signed by the insider's key that names the council's fingerprint.
        case forgedFingerprint

        var onDatabase: Bool { [.editedEvent, .rewrittenChain, .truncatedTail, .deletedCase].contains(self) }
        /// Whether the hash chain alone (plain `audit verify`) sees it.
        /// An edited event breaks the chain; a cut tail that leaves the record as it was is caught by replaying the
        /// history (the record holds what the lost events did). A recomputed chain and a deleted case need a checkpoint.
        var chainAloneDetects: Bool { self == .editedEvent || self == .truncatedTail }

        /// What `audit verify --checkpoints` prints about it.
        var expected: String {
            switch self {
            case .editedEvent: "case c1: changed since checkpoint cp1.txt (event 3 does not match: its content does not match its hash)\n"
            case .rewrittenChain: "case c1: changed since checkpoint cp1.txt (its first 3 events no longer end in the recorded head: one was rewritten and re-hashed)\n"
            case .truncatedTail: "case c1: changed since checkpoint cp1.txt (it has 2 events; the checkpoint covers 3)\n"
            case .deletedCase: "case c2: missing, but checkpoint cp1.txt covers it\n"
            case .alteredCheckpoint, .forgedFingerprint: "error: checkpoint cp1.txt: signature does not verify\n"
            case .unsignedCheckpoint: "error: checkpoint cp1.txt: the checkpoint is not signed\n"
            case .otherKeyCheckpoint: "error: checkpoint cp2.txt: signed by another key ("
            }
        }
    }

    @Test(arguments: Tampering.allCases) func tamperingIsDetectedWithACheckpoint(_ tampering: Tampering) throws {
        let scene = try CheckpointScene()
        try scene.apply(tampering)
        let plain = scene.space.run(["audit", "verify"])
        #expect((plain.status != .success) == tampering.chainAloneDetects, "\(plain.out)\(plain.err)")
        let checked = scene.verifyWithCheckpoints()
        #expect(checked.status == .failure)
        #expect((checked.out + checked.err).contains(tampering.expected), "\(checked.out)\(checked.err)")
        if tampering.onDatabase {
            let missing = tampering == .deletedCase ? 1 : 0
            #expect(checked.out.hasSuffix("1 checkpoints, 3 cases checked against them: 1 changed or missing\n"))
            let plainReport = switch tampering {
            case .editedEvent: "case c1: event 3 does not match"
            case .truncatedTail: "case c1: the record is not what its events say"
            default: "\(3 - missing) cases, every chain intact\n"
            }
            #expect(checked.out.hasPrefix(plainReport), "\(checked.out)")
        }
    }

    @Test func theDetectionRateIsCounted() throws {
        var withCheckpoints = 0, chainAlone = 0, databaseTried = 0
        for tampering in Tampering.allCases {
            let scene = try CheckpointScene()
            try scene.apply(tampering)
            if scene.verifyWithCheckpoints().status == .failure { withCheckpoints += 1 }
            if tampering.onDatabase {
                databaseTried += 1
                if scene.space.run(["audit", "verify"]).status != .success { chainAlone += 1 }
            }
        }
        print("checkpoints: detected \(withCheckpoints) of \(Tampering.allCases.count) tamperings tried (database and checkpoint files); "
              + "the hash chain alone detected \(chainAlone) of the \(databaseTried) made to the database")
        #expect(withCheckpoints == Tampering.allCases.count)
        #expect(chainAlone == 2, "the chain and replay alone miss a recomputed chain and a deleted case: that is why checkpoints exist")
    }

    @Test func anUntouchedStoreVerifiesAndLaterEventsAreNotCovered() throws {
        let scene = try CheckpointScene()
        #expect(scene.verifyWithCheckpoints().out == "3 cases, every chain intact\n1 checkpoints, 3 cases checked against them: none changed\n")
        // Events and cases after the checkpoint are covered by the chain alone until the next checkpoint.
        _ = scene.space.run(["case", "open", "assessment", "--id", "c4", "--as", "parent:jo"])
        _ = scene.space.run(["case", "fire", "c4", "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"])
        let later = scene.verifyWithCheckpoints()
        #expect(later.status == .success, "\(later.err)")
        #expect(later.out == "4 cases, every chain intact\n1 checkpoints, 3 cases checked against them: none changed\n")
        let one = scene.verifyWithCheckpoints(["c2"])
        #expect(one.out == "case c2: 3 events, chain intact, record replays\n1 checkpoints, 1 cases checked against them: none changed\n")
        let second = scene.space.run(["audit", "checkpoint", "--key", scene.keyPath, "--out", scene.checkpoints.appendingPathComponent("cp2.txt").path])
        #expect(second.out.hasSuffix("cp2.txt: 4 cases, 11 events, signed by key \(scene.key.publicKey.fingerprint)\n"), "\(second.err)")
        #expect(scene.verifyWithCheckpoints().out.hasSuffix("2 checkpoints, 4 cases checked against them: none changed\n"))
        let again = scene.space.run(["audit", "checkpoint", "--key", scene.keyPath, "--out", scene.checkpoints.appendingPathComponent("cp2.txt").path])
        #expect(again.status == .failure)
        #expect(again.err.hasSuffix("cp2.txt already exists; a checkpoint is never overwritten\n"))
    }

    @Test func aBrokenChainIsNeverSigned() throws {
        let scene = try CheckpointScene()
        try scene.apply(.editedEvent)
        let made = scene.space.run(["audit", "checkpoint", "--key", scene.keyPath, "--out", scene.checkpoints.appendingPathComponent("cp2.txt").path])
        #expect(made.status == .failure)
        #expect(made.err == "error: case c1: event 3 does not match: its content does not match its hash; a broken chain is not signed (see 'casework audit verify')\n")
        #expect(!FileManager.default.fileExists(atPath: scene.checkpoints.appendingPathComponent("cp2.txt").path))
    }

    @Test func aNamedCaseThatWasDeletedIsReportedAsMissing() throws {
        let scene = try CheckpointScene()
        try scene.apply(.deletedCase)
        let checked = scene.verifyWithCheckpoints(["c2"])
        #expect(checked.status == .failure)
        #expect(checked.out == "case c2: missing, but checkpoint cp1.txt covers it\n1 checkpoints, 1 cases checked against them: 1 changed or missing\n")
    }

    @Test func aCheckpointOfNoCasesIsFineButAnEmptyOrForeignDirectoryIsNot() throws {
        let space = try CaseCommandTests.workspace()
        let key = try Ed25519PrivateKey.generate()
        let keyPath = space.directory.appendingPathComponent("key.pem").path
        let publicKeyPath = space.directory.appendingPathComponent("key.pub").path
        try Data(try key.pem().utf8).write(to: URL(fileURLWithPath: keyPath))
        try Data(try key.publicKey.pem().utf8).write(to: URL(fileURLWithPath: publicKeyPath))
        let checkpoints = space.directory.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let verify = ["audit", "verify", "--checkpoints", checkpoints.path, "--public-key", publicKeyPath]

        _ = try SQLiteCaseStore(path: space.database)  // an empty store
        #expect(space.run(verify).err == "error: no checkpoints in \(checkpoints.path)\n")
        let made = space.run(["audit", "checkpoint", "--key", keyPath, "--out", checkpoints.appendingPathComponent("empty.txt").path])
        #expect(made.out.hasSuffix("empty.txt: 0 cases, 0 events, signed by key \(key.publicKey.fingerprint)\n"), "\(made.err)")
        _ = space.run(["case", "open", "assessment", "--id", "c1", "--as", "parent:jo"])
        #expect(space.run(verify).out == "case c1: 1 events, chain intact, record replays\n1 checkpoints, 0 cases checked against them: none changed\n")

        try Data("notes\n".utf8).write(to: checkpoints.appendingPathComponent("README"))
        let foreign = space.run(verify)
        #expect(foreign.status == .failure)
        #expect(foreign.err == "error: checkpoint README: not a checkpoint: line 1: expected 'casework-checkpoint 1'\n")
    }

    /// Command lines the checkpoint options refuse, each a usage error.
    static let usageErrors: [(arguments: [String], message: String)] = [
        (["audit", "checkpoint", "--key", "key.pem", "--as", "caseworker:ana"], "error: only the operator makes checkpoints\n"),
        (["audit", "checkpoint"], "error: name the signing key with --key KEY.pem\n"),
        (["audit", "checkpoint", "c1", "--key", "key.pem"], "error: a checkpoint covers every case; name none\n"),
        (["audit", "verify", "--checkpoints", "."], "error: checking checkpoints needs the council's public key\n"),
        (["audit", "verify", "--public-key", "key.pub"], "error: --public-key checks the checkpoints named by --checkpoints\n"),
        (["audit", "verify", "--checkpoints", ".", "--public-key", "key.pub", "--as", "caseworker:ana"], "error: only the operator checks checkpoints\n"),
        (["audit", "verify", "--checkpoints", "no-such-dir", "--public-key", "KEY"], "error: no directory 'no-such-dir'\n"),
        (["audit", "checkpoint", "--key", "no-such-key.pem"], "error: cannot read the key 'no-such-key.pem'\n"),
    ]

    @Test(arguments: AuditCheckpointTests.usageErrors.indices) func checkpointOptionsAreCheckedAsUsage(_ index: Int) throws {
        let scene = try CheckpointScene()
        let (arguments, message) = Self.usageErrors[index]
        let resolved = arguments.map { $0 == "KEY" ? scene.publicKeyPath : $0 }
        let result = scene.space.run(resolved)
        #expect(result.status == .usage)
        #expect(result.err.hasPrefix(message), "\(result.err)")
    }

    @Test func keysThatAreNotTheCouncilsAreErrorsNamingTheFile() throws {
        let scene = try CheckpointScene()
        let ecPath = scene.space.directory.appendingPathComponent("ec.pem").path
        try Data(Self.ecPrivateKey.utf8).write(to: URL(fileURLWithPath: ecPath))
        let made = scene.space.run(["audit", "checkpoint", "--key", ecPath, "--out", "unused.txt"])
        #expect(made.status == .failure)
        #expect(made.err == "error: key \(ecPath): not an Ed25519 key: make one with 'openssl genpkey -algorithm ed25519'\n")
        let checked = scene.space.run(["audit", "verify", "--checkpoints", scene.checkpoints.path, "--public-key", scene.keyPath])
        #expect(checked.err == "error: public key \(scene.keyPath): invalid key: expected an unencrypted PEM Ed25519 public key\n")
    }
}

/// A workspace with three cases of three events each, the council's key pair beside it, and one checkpoint of them, `cp1.txt`.
struct CheckpointScene {
    let space: CommandWorkspace
    let key: Ed25519PrivateKey
    let keyPath: String
    let publicKeyPath: String
    let checkpoints: URL
    var checkpointFile: URL { checkpoints.appendingPathComponent("cp1.txt") }

    init() throws {
        space = try CaseCommandTests.workspace()
        for id in ["c1", "c2", "c3"] {
            _ = space.run(["case", "open", "assessment", "--id", id, "--as", "parent:jo", "--set", "requested_on=2025-09-01"])
            _ = space.run(["case", "fire", id, "start_deciding", "--as", "caseworker:ana", "--set", "evidence_complete=true"])
            _ = space.run(["case", "fire", id, "agree_to_assess", "--as", "caseworker:ana", "--set", "decision_notes=Agreed"])
        }
        key = try Ed25519PrivateKey.generate()
        keyPath = space.directory.appendingPathComponent("key.pem").path
        publicKeyPath = space.directory.appendingPathComponent("key.pub").path
        try Data(try key.pem().utf8).write(to: URL(fileURLWithPath: keyPath))
        try Data(try key.publicKey.pem().utf8).write(to: URL(fileURLWithPath: publicKeyPath))
        checkpoints = space.directory.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let made = space.run(["audit", "checkpoint", "--key", keyPath, "--out", checkpoints.appendingPathComponent("cp1.txt").path])
        guard made.status == .success else { throw SceneError.setup(made.err) }
    }

    enum SceneError: Error { case setup(String), sql(String) }

    func verifyWithCheckpoints(_ cases: [String] = []) -> (status: CaseworkCommandLine.ExitStatus, out: String, err: String) {
        space.run(["audit", "verify"] + cases + ["--checkpoints", checkpoints.path, "--public-key", publicKeyPath])
    }

    func apply(_ tampering: AuditCheckpointTests.Tampering) throws {
        switch tampering {
        case .editedEvent:
            try sql("DROP TRIGGER audit_events_no_update",
                    "UPDATE audit_events SET event = replace(event, 'Agreed', 'Refused') WHERE case_id = 'c1' AND sequence = 3")
        case .rewrittenChain:
            let store = try SQLiteCaseStore(path: space.database)
            var events = try store.history(caseID: "c1")
            var record = try #require(try store.load(caseID: "c1"))
            events[1].input["evidence_complete"] = .bool(false)
            for index in 1..<events.count {
                events[index].previousHash = events[index - 1].hash
                events[index].hash = events[index].computedHash
            }
            record.auditHead = events[events.count - 1].hash
            #expect(AuditVerification.verify(events, record: record) == .intact(events: 3), "the rewritten chain holds on its own")
            try sql(["DROP TRIGGER audit_events_no_update"] + events.dropFirst().map { event in
                "UPDATE audit_events SET hash = '\(event.hash)', event = \(Self.quoted(event)) WHERE case_id = 'c1' AND sequence = \(event.sequence)"
            } + ["UPDATE cases SET record = \(Self.quoted(record)) WHERE id = 'c1'"])
        case .truncatedTail:
            let store = try SQLiteCaseStore(path: space.database)
            let events = try store.history(caseID: "c1")
            var record = try #require(try store.load(caseID: "c1"))
            record.auditHead = events[1].hash
            record.revision = 2
            try sql("DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE case_id = 'c1' AND sequence = 3",
                    "UPDATE cases SET revision = 2, record = \(Self.quoted(record)) WHERE id = 'c1'")
        case .deletedCase:
            try sql("DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE case_id = 'c2'", "DELETE FROM outbox WHERE case_id = 'c2'",
                    "DELETE FROM deadline_alarms WHERE case_id = 'c2'", "DELETE FROM cases WHERE id = 'c2'")
        case .alteredCheckpoint:
            let text = try String(contentsOf: checkpointFile, encoding: .utf8)
            let altered = text.replacingOccurrences(of: "\nc1 3 ", with: "\nc1 2 ")
            #expect(altered != text)
            try Data(altered.utf8).write(to: checkpointFile)
        case .unsignedCheckpoint:
            let text = try String(contentsOf: checkpointFile, encoding: .utf8)
            try Data(text.components(separatedBy: "signature ")[0].utf8).write(to: checkpointFile)
        case .otherKeyCheckpoint:
            let insider = space.directory.appendingPathComponent("insider.pem")
            try Data(try Ed25519PrivateKey.generate().pem().utf8).write(to: insider)
            _ = space.run(["audit", "checkpoint", "--key", insider.path, "--out", checkpoints.appendingPathComponent("cp2.txt").path])
        case .forgedFingerprint:
            var forged = try AuditCheckpoint.parse(text: String(contentsOf: checkpointFile, encoding: .utf8))
            let insider = try Ed25519PrivateKey.generate()
            forged = try AuditCheckpoint.make(heads: forged.heads, at: forged.created, signingKey: insider)
            forged.keyFingerprint = key.publicKey.fingerprint
            try Data(forged.text.utf8).write(to: checkpointFile)
        }
    }

    private func sql(_ statements: String...) throws { try sql(statements) }

    /// Runs statements on the database file as someone holding it would, with the raw C API.
    private func sql(_ statements: [String]) throws {
        var db: OpaquePointer?
        guard sqlite3_open(space.database, &db) == SQLITE_OK else { throw SceneError.sql("cannot open") }
        defer { sqlite3_close(db) }
        for statement in statements {
            guard sqlite3_exec(db, statement, nil, nil, nil) == SQLITE_OK else { throw SceneError.sql("\(statement): \(String(cString: sqlite3_errmsg(db)))") }
            if statement.contains(" audit_events ") || statement.contains(" cases ") {
                guard sqlite3_changes(db) >= 1 else { throw SceneError.sql("\(statement) changed nothing") }
            }
        }
    }

    private static func quoted(_ value: some Encodable) -> String {
        "'" + String(decoding: StoredJSON.encode(value), as: UTF8.self).replacingOccurrences(of: "'", with: "''") + "'"
    }
}
