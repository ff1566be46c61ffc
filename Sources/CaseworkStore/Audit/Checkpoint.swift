import CaseworkDefinitions
import CaseworkTime
import Foundation

/// One case's audit chain at a moment: how many events it had and the hash of the last one.
///
/// The hash of event N covers event N−1's hash, so it pins the content and order of every event up to N.
package struct CaseHead: Sendable, Hashable {
    /// The case.
    package var caseID: String
    /// How many events the chain had (the last event's sequence).
    package var events: Int
    /// The last event's hash (``AuditEvent/genesisHash`` when there were none).
    package var hash: String

    /// Creates a head.
    package init(caseID: String, events: Int, hash: String) {
        self.caseID = caseID
        self.events = events
        self.hash = hash
    }
}

/// Why a checkpoint could not be made, read or trusted.
package enum CheckpointError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not a checkpoint in the canonical format; `line` is 1-based (0 for the text as a whole).
    case malformed(line: Int, reason: String)
    /// The first line names a format version this build does not read.
    case unsupportedVersion(String)
    /// The text has no signature line.
    case unsigned
    /// The checkpoint names another signing key than the one given.
    case otherKey(signedBy: String, given: String)
    /// The key or the signature failed.
    case key(Ed25519Error)
    /// A case's chain does not hold now, so it is not signed.
    case brokenChain(caseID: String, sequence: Int, reason: String)
    /// A case id that the line format cannot carry.
    case unusableCaseID(String)
    /// The store failed while the heads were read.
    case store(StoreError)

    /// One line a user can act on.
    package var description: String {
        switch self {
        case .malformed(let line, let reason): line == 0 ? "not a checkpoint: \(reason)" : "not a checkpoint: line \(line): \(reason)"
        case .unsupportedVersion(let version): "checkpoint format version '\(version)' is not one this build reads (it reads \(AuditCheckpoint.formatVersion))"
        case .unsigned: "the checkpoint is not signed"
        case .otherKey(let signedBy, let given): "signed by another key (\(signedBy)), not the public key given (\(given))"
        case .key(let error): error.description
        case .brokenChain(let caseID, let sequence, let reason):
            "case \(caseID): event \(sequence) does not match: \(reason); a broken chain is not signed (see 'casework audit verify')"
        case .unusableCaseID(let id): "case id '\(id)' cannot be written in a checkpoint"
        case .store(let error): error.description
        }
    }
}

/// A signed statement of every case's audit chain head at a moment, kept outside the database.
///
/// The hash chain alone catches accidental corruption and naive edits, but someone who can write the
/// database can recompute every hash, delete a whole case or cut off the end of a chain. A checkpoint,
/// signed with a key that is never stored with the cases, pins each covered chain: any change, removal,
/// reordering or re-hashing of an event up to the checkpointed head is detected.
///
/// The canonical text (UTF-8, `\n` line ends, nothing else allowed):
///
///     casework-checkpoint 1
///     created_at 2026-01-12T09:30:00Z
///     key_sha256 <64 hex: SHA-256 of the signing key's DER public key>
///     cases <count>
///     <case id> <events> <head hash>       one per case, sorted by id (byte order)
///     signature <base64 Ed25519 signature of every byte above>
package struct AuditCheckpoint: Sendable, Hashable {
    /// The format version this build writes and reads.
    package static let formatVersion = 1

    /// When the heads were read, to the second.
    package var created: Date
    /// The signing key's ``Ed25519PublicKey/fingerprint``.
    package var keyFingerprint: String
    /// Every covered case's head, sorted by case id.
    package var heads: [CaseHead]
    /// The Ed25519 signature of ``signedText``.
    package var signature: [UInt8]

    /// Signs `heads` (any order) as read at `at` (kept to the whole second).
    package static func make(heads: [CaseHead], at: Date, signingKey: Ed25519PrivateKey) throws(CheckpointError) -> AuditCheckpoint {
        let sorted = heads.sorted { $0.caseID.utf8.lexicographicallyPrecedes($1.caseID.utf8) }
        for (index, head) in sorted.enumerated() {
            guard Identifier.isUsable(head.caseID) else { throw .unusableCaseID(head.caseID) }
            guard index == 0 || sorted[index - 1].caseID != head.caseID else { throw .malformed(line: 0, reason: "case '\(head.caseID)' is given twice") }
            guard head.events >= 0, Self.isHash(head.hash) else { throw .malformed(line: 0, reason: "case '\(head.caseID)' has no usable head") }
        }
        var checkpoint = AuditCheckpoint(
            created: Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down)),
            keyFingerprint: signingKey.publicKey.fingerprint, heads: sorted, signature: []
        )
        do {
            checkpoint.signature = try signingKey.sign(Array(checkpoint.signedText.utf8))
        } catch {
            throw .key(error)
        }
        return checkpoint
    }

    /// Reads a checkpoint's text without trusting it: call ``verify(publicKey:)`` before using it.
    ///
    /// Only the canonical form is accepted, so one checkpoint has exactly one text.
    package static func parse(text: String) throws(CheckpointError) -> AuditCheckpoint {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.hasPrefix("casework-checkpoint ") == true else { throw .malformed(line: 1, reason: "expected 'casework-checkpoint \(formatVersion)'") }
        let version = String(lines[0].dropFirst("casework-checkpoint ".count))
        guard version == "\(formatVersion)" else { throw .unsupportedVersion(version) }
        guard lines.last == "" else { throw .malformed(line: lines.count, reason: "the last line does not end with a line break") }
        lines.removeLast()
        guard lines.count >= 4 else { throw .malformed(line: lines.count + 1, reason: "the header ends early") }

        func value(_ line: Int, _ name: String) throws(CheckpointError) -> String {
            let prefix = name + " "
            guard lines[line - 1].hasPrefix(prefix) else { throw .malformed(line: line, reason: "expected '\(name) …'") }
            return String(lines[line - 1].dropFirst(prefix.count))
        }
        guard let created = Date(iso8601: try value(2, "created_at")) else {
            throw .malformed(line: 2, reason: "expected 'created_at' and a UTC time such as 2026-01-12T09:30:00Z")
        }
        let fingerprint = try value(3, "key_sha256")
        guard isHash(fingerprint) else { throw .malformed(line: 3, reason: "expected 64 lower-case hex digits") }
        guard let count = Int(try value(4, "cases")), count >= 0 else { throw .malformed(line: 4, reason: "expected the number of cases") }
        // A count more than the lines left is refused before any arithmetic on it (`5 + count` would trap for
        // `cases 9223372036854775807`).
        let signatureLine = count <= lines.count - 5 ? 5 + count : nil
        guard let signatureLine, lines[signatureLine - 1].hasPrefix("signature ") else {
            guard lines.contains(where: { $0.hasPrefix("signature ") }) else { throw .unsigned }
            throw .malformed(line: 4, reason: "the file lists another number of cases than this line says")
        }
        guard lines.count == signatureLine else { throw .malformed(line: signatureLine + 1, reason: "nothing may follow the signature") }

        var heads: [CaseHead] = []
        heads.reserveCapacity(count)
        for line in 5..<signatureLine {
            let fields = lines[line - 1].split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, let events = Int(fields[1]), events >= 0, isHash(fields[2]) else {
                throw .malformed(line: line, reason: "expected 'CASE_ID EVENTS HEAD_HASH'")
            }
            guard Identifier.isUsable(String(fields[0])), heads.last.map({ $0.caseID.utf8.lexicographicallyPrecedes(fields[0].utf8) }) ?? true else {
                throw .malformed(line: line, reason: "case ids must be usable ids, sorted and unique")
            }
            heads.append(CaseHead(caseID: String(fields[0]), events: events, hash: String(fields[2])))
        }
        guard let signature = Data(base64Encoded: String(lines[signatureLine - 1].dropFirst("signature ".count))) else {
            throw .malformed(line: signatureLine, reason: "the signature is not base64")
        }
        let checkpoint = AuditCheckpoint(created: created, keyFingerprint: fingerprint, heads: heads, signature: Array(signature))
        guard checkpoint.text == text else {
            throw .malformed(line: 0, reason: "not in canonical form (plain decimal numbers, whole-second UTC time, base64 with padding)")
        }
        return checkpoint
    }

    /// Checks that `publicKey` signed this checkpoint, returning it as evidence only then.
    package func verify(publicKey: Ed25519PublicKey) throws(CheckpointError) -> VerifiedCheckpoint {
        guard keyFingerprint == publicKey.fingerprint else { throw .otherKey(signedBy: keyFingerprint, given: publicKey.fingerprint) }
        do {
            try publicKey.verify(signature, of: Array(signedText.utf8))
        } catch {
            throw .key(error)
        }
        return VerifiedCheckpoint(checkpoint: self)
    }

    /// The bytes the signature covers: every line before `signature`.
    package var signedText: String {
        var text = "casework-checkpoint \(Self.formatVersion)\ncreated_at \(created.formatted(.iso8601))\nkey_sha256 \(keyFingerprint)\ncases \(heads.count)\n"
        text.reserveCapacity(text.utf8.count + heads.count * 80)
        for head in heads { text += "\(head.caseID) \(head.events) \(head.hash)\n" }
        return text
    }

    /// The whole file: ``signedText`` and the signature line.
    package var text: String { signedText + "signature \(Data(signature).base64EncodedString())\n" }

    /// `checkpoint-20260112T093000Z.txt`: a name that sorts by time, for the file the command line writes.
    package var suggestedFileName: String {
        "checkpoint-\(created.formatted(.iso8601.dateSeparator(.omitted).timeSeparator(.omitted))).txt"
    }

    /// Reads every case's head through the protocol, walking each chain: a broken chain is refused, never signed.
    ///
    /// A chain that does not end at its case's head is read once more, in case a change was committed between
    /// reading the case and reading its history.
    package static func heads(in store: any CaseStore) throws(CheckpointError) -> [CaseHead] {
        var heads: [CaseHead] = []
        for caseID in try storeCall({ () throws(StoreError) in try store.caseIDs() }) {
            var read = try chain(of: caseID, in: store)
            if read?.verification.chainBreak != nil { read = try chain(of: caseID, in: store) }
            guard let read else { continue }
            if let broken = read.verification.chainBreak { throw .brokenChain(caseID: caseID, sequence: broken.sequence, reason: broken.reason) }
            heads.append(CaseHead(caseID: caseID, events: read.events.count, hash: read.events.last?.hash ?? AuditEvent.genesisHash))
        }
        return heads
    }

    /// A case's history and whether it holds up to the case's head; nil when the case is gone.
    private static func chain(of caseID: String, in store: any CaseStore) throws(CheckpointError) -> (events: [AuditEvent], verification: AuditVerification)? {
        try storeCall { () throws(StoreError) in
            let snapshot = try store.snapshot(caseID: caseID)
            guard let record = snapshot.record else { return nil }
            return (snapshot.events, AuditVerification.verify(snapshot.events, record: record))
        }
    }

    private static func storeCall<Result>(_ body: () throws(StoreError) -> Result) throws(CheckpointError) -> Result {
        do { return try body() } catch { throw .store(error) }
    }

    private static func isHash(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// A checkpoint whose signature was checked with the council's public key: only these are evidence.
package struct VerifiedCheckpoint: Sendable, Hashable {
    /// The checkpoint.
    package let checkpoint: AuditCheckpoint

    fileprivate init(checkpoint: AuditCheckpoint) { self.checkpoint = checkpoint }
}

/// A case a checkpoint covers that the store no longer holds as it was.
package struct CheckpointViolation: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the case.
    package enum Problem: Sendable, Hashable {
        /// The case is gone.
        case missing
        /// The chain has fewer events than the checkpoint covers: events were removed.
        case shorter(events: Int)
        /// An event up to the checkpointed head does not hold in its chain (edited, removed or reordered).
        case eventChanged(sequence: Int, reason: String)
        /// The chain holds, but the event at the checkpointed position has another hash: it was rewritten and re-hashed.
        case headChanged
    }

    /// The name the checkpoint was given (its file name on the command line).
    package var checkpoint: String
    /// The head the checkpoint recorded.
    package var head: CaseHead
    /// What is wrong.
    package var problem: Problem

    /// `case c1: changed since checkpoint FILE (…)` or `case c1: missing, but checkpoint FILE covers it`.
    package var description: String {
        let changed = "case \(head.caseID): changed since checkpoint \(checkpoint)"
        switch problem {
        case .missing: return "case \(head.caseID): missing, but checkpoint \(checkpoint) covers it"
        case .shorter(let events): return "\(changed) (it has \(events) events; the checkpoint covers \(head.events))"
        case .eventChanged(let sequence, let reason): return "\(changed) (event \(sequence) does not match: \(reason))"
        case .headChanged: return "\(changed) (its first \(head.events) events no longer end in the recorded head: one was rewritten and re-hashed)"
        }
    }
}

/// What checking a store against checkpoints found.
package struct CheckpointReport: Sendable, Hashable {
    /// How many checkpoints were checked.
    package var checkpoints: Int
    /// How many distinct cases they cover (among those asked about).
    package var cases: Int
    /// Every violation, by case id and then checkpoint name.
    package var violations: [CheckpointViolation]

    /// Checks `store` against verified checkpoints (by name), reading each covered case's history once,
    /// through the ``CaseStore`` protocol. `only` limits the check to some cases; nil checks every covered case.
    package static func check(_ store: any CaseStore, against checkpoints: [String: VerifiedCheckpoint], only: Set<String>? = nil) throws(StoreError) -> CheckpointReport {
        var covering: [String: [(name: String, head: CaseHead)]] = [:]
        for (name, verified) in checkpoints.sorted(by: { $0.key < $1.key }) {
            for head in verified.checkpoint.heads where only?.contains(head.caseID) ?? true {
                covering[head.caseID, default: []].append((name, head))
            }
        }
        var violations: [CheckpointViolation] = []
        for (caseID, heads) in covering.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            let snapshot = try store.snapshot(caseID: caseID)
            guard let record = snapshot.record else {
                violations += heads.map { CheckpointViolation(checkpoint: $0.name, head: $0.head, problem: .missing) }
                continue
            }
            let events = snapshot.events
            let broken = AuditVerification.verify(events, record: record).chainBreak
            for (name, head) in heads {
                let problem: CheckpointViolation.Problem
                if let broken, broken.sequence <= head.events {
                    problem = .eventChanged(sequence: broken.sequence, reason: broken.reason)
                } else if events.count < head.events {
                    problem = .shorter(events: events.count)
                } else if head.events > 0, events[head.events - 1].hash != head.hash {
                    problem = .headChanged
                } else {
                    continue
                }
                violations.append(CheckpointViolation(checkpoint: name, head: head, problem: problem))
            }
        }
        return CheckpointReport(checkpoints: checkpoints.count, cases: covering.count, violations: violations)
    }
}
