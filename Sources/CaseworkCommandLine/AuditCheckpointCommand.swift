import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// `casework audit checkpoint` and the checkpoint half of `casework audit verify --checkpoints DIR --public-key FILE`.
///
/// Both are the operator's: a checkpoint covers every case, and checking one reads every covered chain
/// straight from the store.
enum AuditCheckpointCommand {

    /// Signs every case's chain head with the council's key and writes the checkpoint file, never over another.
    static func checkpoint(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["audit", "checkpoint"].spec)
        guard parsed.values["--as"] == nil, parsed.values["--attribute"] == nil else {
            throw UsageError("only the operator makes checkpoints", help: "run it without --as, with the council's signing key")
        }
        guard parsed.positionals.isEmpty else { throw UsageError("a checkpoint covers every case; name none") }
        guard let keyPath = try parsed.single("--key") else {
            throw UsageError("name the signing key with --key KEY.pem", help: "make one with 'openssl genpkey -algorithm ed25519 -out key.pem' and keep it away from the database")
        }
        let options = try EngineOptions(parsed)
        guard FileManager.default.fileExists(atPath: options.database) else { throw UsageError("no database '\(TerminalText.escape(options.database))'") }
        let keyText = try readFile(keyPath, what: "key")
        let out = try parsed.single("--out")

        let key: Ed25519PrivateKey
        do { key = try Ed25519PrivateKey(pem: keyText) } catch { return fail("key \(keyPath): \(error)", console: console) }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let checkpoint: AuditCheckpoint
            do throws(CheckpointError) {
                checkpoint = try AuditCheckpoint.make(heads: AuditCheckpoint.heads(in: engine.store), at: Date(), signingKey: key)
            } catch {
                if case .store(let failure) = error { throw .store(failure) }
                return fail("\(error)", console: console)
            }
            let path = out ?? checkpoint.suggestedFileName
            guard !FileManager.default.fileExists(atPath: path) else { return fail("\(path) already exists; a checkpoint is never overwritten", console: console) }
            do {
                try Data(checkpoint.text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            } catch {
                return fail("cannot write \(path): \(error.localizedDescription)", console: console)
            }
            let events = checkpoint.heads.reduce(0) { $0 + $1.events }
            console.out("\(path): \(checkpoint.heads.count) cases, \(events) events, signed by key \(checkpoint.keyFingerprint)\n")
            return .success
        }
    }

    /// `audit verify`'s `--checkpoints DIR --public-key FILE`: both or neither.
    struct Options {
        var directory: String
        var publicKey: String

        /// The options, or nil when neither is given.
        init?(_ parsed: ParsedArguments) throws(UsageError) {
            let directory = try parsed.single("--checkpoints")
            let publicKey = try parsed.single("--public-key")
            switch (directory, publicKey) {
            case (nil, nil): return nil
            case (let directory?, let publicKey?):
                self.directory = directory
                self.publicKey = publicKey
            case (nil, _?): throw UsageError("--public-key checks the checkpoints named by --checkpoints", help: "add --checkpoints DIR")
            case (_?, nil): throw UsageError("checking checkpoints needs the council's public key", help: "add --public-key KEY.pub")
            }
        }
    }

    /// Walks the chains as `audit verify` does, reporting every broken one, then checks every covered case against every
    /// checkpoint in the directory. A checkpoint that cannot be read or whose signature does not verify is an error.
    static func verify(cases named: [String], options: EngineOptions, checkpoints: Options, console: some Console) throws(UsageError) -> ExitStatus {
        guard options.actor.isOperator else {
            throw UsageError("only the operator checks checkpoints", help: "run it without --as")
        }
        let publicKeyText = try readFile(checkpoints.publicKey, what: "public key")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: checkpoints.directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw UsageError("no directory '\(TerminalText.escape(checkpoints.directory))'")
        }
        let publicKey: Ed25519PublicKey
        do { publicKey = try Ed25519PublicKey(pem: publicKeyText) } catch { return fail("public key \(checkpoints.publicKey): \(error)", console: console) }

        var failed = false
        var verified: [String: VerifiedCheckpoint] = [:]
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: checkpoints.directory).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            return fail("cannot list \(checkpoints.directory): \(error.localizedDescription)", console: console)
        }
        if files.isEmpty { return fail("no checkpoints in \(checkpoints.directory)", console: console) }
        for file in files {
            let path = URL(fileURLWithPath: checkpoints.directory).appendingPathComponent(file).path
            do {
                let text: String
                switch OperatorTextFile.read(path) {
                case .success(let read): text = read
                case .failure(.tooLarge(let bytes)):
                    throw CheckpointError.malformed(line: 0, reason: "\(bytes) bytes, over the \(OperatorTextFile.maximumBytes) a checkpoint may hold")
                case .failure: throw CheckpointError.malformed(line: 0, reason: "not a readable UTF-8 file")
                }
                verified[file] = try AuditCheckpoint.parse(text: text).verify(publicKey: publicKey)
            } catch {
                failed = true
                _ = fail("checkpoint \(file): \(error)", console: console)
            }
        }

        return EngineRun.run(console: console) { () throws(EngineError) in
            let engine = try options.engine()
            let cases = try named.isEmpty ? engine.auditedCaseIDs(as: options.actor) : named
            let covered = Set(verified.values.flatMap { $0.checkpoint.heads.map(\.caseID) })
            var intact = 0
            for caseID in cases {
                // A named case that is gone but covered is reported below as missing.
                if covered.contains(caseID), try storeCall({ () throws(StoreError) in try engine.store.load(caseID: caseID) }) == nil { continue }
                let verification = try engine.verifyAudit(caseID, as: options.actor)
                if verification.holds { intact += 1 } else { failed = true }
                if let line = AuditCommand.line(caseID, verification, alone: cases.count == 1) { console.out(line) }
            }
            if cases.count != 1 { console.out(intact == cases.count ? "\(intact) cases, every chain intact\n" : "\(intact) of \(cases.count) cases' chains intact\n") }

            let report = try storeCall { () throws(StoreError) in
                try CheckpointReport.check(engine.store, against: verified, only: named.isEmpty ? nil : Set(named))
            }
            for violation in report.violations { console.out("\(violation)\n") }
            let found = report.violations.isEmpty ? "none changed" : "\(Set(report.violations.map(\.head.caseID)).count) changed or missing"
            console.out("\(report.checkpoints) checkpoints, \(report.cases) cases checked against them: \(found)\n")
            return failed || !report.violations.isEmpty ? .failure : .success
        }
    }

    /// The one place these commands print a problem that is not an engine refusal.
    private static func fail(_ message: String, console: some Console) -> ExitStatus {
        console.err("error: \(TerminalText.escape(message))\n")
        return .failure
    }

    private static func readFile(_ path: String, what: String) throws(UsageError) -> String {
        switch OperatorTextFile.read(path) {
        case .success(let text): return text
        case .failure(.unreadable): throw UsageError("cannot read the \(what) '\(TerminalText.escape(path))'")
        case .failure(let refusal): throw UsageError("the \(what) '\(TerminalText.escape(path))' \(refusal)")
        }
    }

    private static func storeCall<Result>(_ body: () throws(StoreError) -> Result) throws(EngineError) -> Result {
        do { return try body() } catch { throw .store(error) }
    }
}
