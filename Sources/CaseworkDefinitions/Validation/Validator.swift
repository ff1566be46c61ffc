import CaseworkDiagnostics
import CaseworkYAML

/// What validating a set of definition files found.
public struct ValidationReport: Sendable {
    /// The definitions that decoded, checked together.
    public var definitions: DefinitionSet
    /// Every problem, sorted by file and position.
    public var diagnostics: [Diagnostic]
    /// The files read, in order.
    public var files: [String]
    /// Each file's text, for source excerpts in diagnostics (every file's text made now, but for one that can no longer be
    /// read as its definitions were loaded: see ``texts``).
    public var sources: [String: String] {
        get { texts.compactMapValues(\.textIfUnchanged) }
        set { texts = newValue.mapValues(DefinitionText.init) }
    }
    /// Each file's text, made from its bytes only when first asked for (``DefinitionText``): the catalog keeps them,
    /// and a command that never reads a file's text never makes it.
    package var texts: [String: DefinitionText]
    /// Each decoded file's content fingerprint: the SHA-256 of its canonical YAML, blind to layout and comments
    /// (filled only when asked for: the engine needs it, validation alone does not).
    public var fingerprints: [String: String]
    /// Each workflow's names and checked guards and `set:` values, by workflow id: what the engine runs.
    public var workflowExpressions: [String: CheckedWorkflowExpressions]
    /// Each policy's names and checked conditions and reason placeholders, by policy id: what decisions run.
    public var policyExpressions: [String: CheckedPolicyExpressions]
    /// Each loaded file's YAML tree (its root mapping), by file: what ``known`` decodes the workflows' outlines from
    /// for a definition cache. Empty on a cache's hit, which loads no YAML (the cache keeps no tree).
    package var trees: [String: YAMLNode] = [:]
    /// On a definition cache's hit, each workflow's whole definition and checked expressions as the entry keeps them,
    /// by the workflow's file, each hashed and read only when first asked for (``KeptPart``); empty otherwise.
    package var keptWorkflows: [String: KeptPart<KeptWorkflow>] = [:]
    /// True when the set was known to be clean (``Validator/validate(_:known:limits:)`` with what a definition cache
    /// kept): each workflow in ``definitions`` is its outline (``DefinitionDecoder/decode(_:outline:)``: no
    /// transitions, templates, deadlines, input, messages or exceptions), its expressions were not checked, and
    /// ``workflowExpressions`` is empty. Whoever runs a workflow of it reads that workflow's whole definition and
    /// checked expressions (``keptWorkflows``) when first needed: what the validation that found the set clean made.
    package var workflowsUnchecked = false

    /// True when any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// What a definition cache keeps of this report's set for a later run on exactly the same bytes
    /// (``Validator/validate(_:known:limits:)``): each file's fingerprint, in ``files``' order, the set with each
    /// workflow as its outline, decoded again from its tree by the one decoder (``DefinitionDecoder/decode(_:outline:)``),
    /// each policy's checked expressions (``policyExpressions``), and each workflow whole with its checked expressions
    /// (``workflowExpressions``); nil when a file has no fingerprint, a workflow's tree does not decode as that
    /// workflow's outline, or a workflow's expressions were not checked.
    package var known: Validator.Known? {
        var kept: [String] = []
        kept.reserveCapacity(files.count)
        for file in files {
            guard let fingerprint = fingerprints[file] else { return nil }
            kept.append(fingerprint)
        }
        var outlines = definitions
        var workflows = keptWorkflows
        if !workflowsUnchecked {
            outlines.workflows = []
            for workflow in definitions.workflows {
                guard let tree = trees[workflow.file], case (.workflow(let outline)?, _) = DefinitionDecoder.decode(tree, outline: true),
                    outline.id.value == workflow.id.value, let expressions = workflowExpressions[workflow.id.value]
                else { return nil }
                outlines.workflows.append(outline)
                workflows[workflow.file] = KeptPart(KeptWorkflow(definition: workflow, expressions: expressions))
            }
        }
        return Validator.Known(fingerprints: kept, definitions: outlines, policies: policyExpressions, workflows: workflows)
    }
}

/// Loads definition files and checks them together: YAML, then structure, then meaning across the whole set.
package enum Validator {
    /// Validates the YAML files under `paths` (files or directories, searched recursively).
    /// With `fingerprints`, the report also carries each file's content fingerprint.
    ///
    /// The files under `context` (the project's other definitions) are checked with them, so references
    /// resolve as in the whole project, but the report holds only the diagnostics and files of `paths`.
    package static func validate(
        paths: [String], context: [String] = [], limits: YAMLLimits = .standard, fingerprints: Bool = false
    ) throws(DefinitionFiles.MissingPath) -> ValidationReport {
        let files = try DefinitionFiles.discover(paths)
        let named = Set(files.map(DefinitionFiles.absolute))
        let others = try DefinitionFiles.discover(context).filter { !named.contains(DefinitionFiles.absolute($0)) }
        var loaded: [(file: String, result: YAMLLoadResult, text: DefinitionText)] = []
        loaded.reserveCapacity(files.count + others.count)
        for file in files + others {
            let (result, text) = YAMLLoader.loadWithText(path: file, limits: limits)
            loaded.append((file, result, DefinitionText(text)))
        }
        var report = check(fingerprints: fingerprints, loaded)
        guard !others.isEmpty else { return report }
        let shown = Set(files)
        report.diagnostics.removeAll { !shown.contains($0.range.file) }
        report.files = files
        return report
    }

    /// One definition file read whole: its path as discovered, and its bytes or why they could not be read.
    package struct FileBytes: Sendable {
        /// The path as ``DefinitionFiles/discover(_:scenarios:)`` found it, which diagnostics and the definitions name.
        package var file: String
        /// The file's bytes, or the error reading them.
        package var bytes: Result<[UInt8], YAMLError>
    }

    /// The definition files under `paths` (files or directories, searched recursively), each read whole, in order.
    package static func read(paths: [String], limits: YAMLLimits = .standard) throws(DefinitionFiles.MissingPath) -> [FileBytes] {
        try DefinitionFiles.discover(paths).map { FileBytes(file: $0, bytes: YAMLLoader.read(path: $0, limits: limits)) }
    }

    /// One definition file hashed: its path as discovered, and the SHA-256 of its bytes, or nil when they could not be
    /// read. The bytes are not kept (``digests(paths:limits:)``).
    ///
    /// Why a file could not be read is not kept: a set with such a file has no key, so it is loaded in full, whose
    /// reading reports the error. (It was a `Result<String, YAMLError>`, whose copy in every warm command made the
    /// runtime scan every conformance record once for `YAMLError: Error`.)
    package struct FileDigest: Sendable {
        /// The path as ``DefinitionFiles/discover(_:scenarios:)`` found it, which diagnostics and the definitions name.
        package var file: String
        /// The SHA-256 of the file's bytes (64 lower-case hexadecimal characters), or nil when they could not be read.
        package var sha256: String?

        /// A file hashed as `sha256` (nil: not read).
        package init(file: String, sha256: String?) {
            self.file = file
            self.sha256 = sha256
        }
    }

    /// The definition files under `paths` (files or directories, searched recursively), each read whole and hashed, in
    /// order: what a definition cache's key is made of. The files are read one after another into one reused buffer
    /// and their bytes are not kept, so hashing a set touches the pages of its largest file, not a fresh array for every
    /// file; a hit reads a file again only for its text, and only if it is asked for (``DefinitionText``).
    package static func digests(paths: [String], limits: YAMLLimits = .standard) throws(DefinitionFiles.MissingPath) -> [FileDigest] {
        var buffer = CaseworkYAML.FileBytes.ReusedBuffer()
        var digests: [FileDigest] = []
        for file in try DefinitionFiles.discover(paths) {
            let sha256 = CaseworkYAML.FileBytes.read(file, limit: limits.maxFileBytes, into: &buffer) { SHA256.hex($0) }
            guard case .success(let hex) = sha256 else {
                digests.append(FileDigest(file: file, sha256: nil))
                continue
            }
            digests.append(FileDigest(file: file, sha256: hex))
        }
        return digests
    }

    /// What a clean validation of a set leaves for a later run on exactly the same paths and bytes, by the same build
    /// (what a definition cache keeps, ``ValidationReport/known``): each file's content fingerprint, in the set's order,
    /// the decoded set as such a run needs it, each workflow as its outline, so that run parses no YAML, each policy's
    /// checked expressions, so that run checks no policy, and each workflow whole with its checked expressions, so
    /// running it decodes and checks nothing.
    package struct Known: Sendable {
        /// Each file's content fingerprint, in the set's order.
        package var fingerprints: [String]
        /// The set decoded, each workflow as its outline (``DefinitionDecoder/decode(_:outline:)``).
        package var definitions: DefinitionSet
        /// Each policy's checked expressions, by policy id, as the validation found them
        /// (``ValidationReport/policyExpressions``); a policy without them is checked again.
        package var policies: [String: CheckedPolicyExpressions]
        /// Each workflow whole, with its checked expressions, by the workflow's file (``ValidationReport/keptWorkflows``).
        package var workflows: [String: KeptPart<KeptWorkflow>]

        /// What is kept of a set.
        package init(
            fingerprints: [String], definitions: DefinitionSet, policies: [String: CheckedPolicyExpressions] = [:],
            workflows: [String: KeptPart<KeptWorkflow>] = [:]
        ) {
            self.fingerprints = fingerprints
            self.definitions = definitions
            self.policies = policies
            self.workflows = workflows
        }
    }

    /// Validates files read by ``read(paths:limits:)`` as ``validate(paths:context:limits:fingerprints:)`` does with
    /// fingerprints.
    ///
    /// With `known` (each file's fingerprint, in `files`' order, and the set decoded, kept from a validation of exactly
    /// these paths and bytes, by this build, that found no error), only what a ``ValidationReport`` must carry for the
    /// engine is redone: the files' YAML is not parsed again, the kept set stands for their decoding (each workflow is
    /// its outline), the kept policies' expressions for theirs (a policy without them is checked), and the checks that
    /// can only add diagnostics (structure, reachability, field reads, templates, references between files) are
    /// skipped, the fingerprints taken as given, and each workflow's whole definition and checked expressions (`known`'s
    /// ``Known/workflows``) left for whoever runs it to read (``ValidationReport/workflowsUnchecked``). The checks still
    /// report their errors, so a report with any error means the files were not the ones validated: validate them in
    /// full.
    package static func validate(_ files: [FileBytes], known: Known? = nil, limits: YAMLLimits = .standard) -> ValidationReport {
        let kept = known.flatMap { $0.fingerprints.count == files.count ? $0 : nil }
        if let kept, files.allSatisfy({ if case .success = $0.bytes { true } else { false } }) {
            return check(known: kept, files.indices.map { index in
                let file = files[index]
                guard case .success(let bytes) = file.bytes else { return (file.file, DefinitionText("")) }
                return (file.file, DefinitionText(bytes: bytes))
            })
        }
        return check(fingerprints: true, files.map { file in
            let (result, text) = YAMLLoader.loadWithText(file.bytes, file: file.file, limits: limits)
            return (file.file, result, DefinitionText(text))
        })
    }

    /// Validates files hashed by ``digests(paths:limits:)`` on a definition cache's hit: as
    /// ``validate(_:known:limits:)`` with `known` (one kept file for each of `files`, in order, every file hashed, and
    /// the set decoded), each file's text read again from the file when first asked for, and only if its bytes still
    /// have the SHA-256 they were hashed with (``DefinitionText/init(file:sha256:limit:)``).
    package static func validate(_ files: [FileDigest], known: Known, limits: YAMLLimits = .standard) -> ValidationReport {
        precondition(files.count == known.fingerprints.count, "a kept fingerprint for every file hashed")
        return check(known: known, files.map { file in
            if let sha256 = file.sha256 {
                (file.file, DefinitionText(file: file.file, sha256: sha256, limit: limits.maxFileBytes))
            } else {
                (file.file, DefinitionText(""))
            }
        })
    }

    /// Validates in-memory sources, each named by the file path diagnostics should show.
    package static func validate(sources: [(file: String, text: String)], limits: YAMLLimits = .standard, fingerprints: Bool = false) -> ValidationReport {
        check(fingerprints: fingerprints, sources.map { source in
            (source.file, YAMLLoader.load(text: source.text, file: source.file, limits: limits), DefinitionText(source.text))
        })
    }

    /// The report on `files` (each one's path and text, in order) known clean by `known` (each file's fingerprint, in
    /// the same order, the set decoded and its policies' checked expressions, from an earlier clean validation of
    /// exactly these bytes): no YAML is loaded, nothing decoded, no kept policy checked, and only what the engine needs
    /// is computed (``validate(_:known:limits:)``).
    private static func check(known: Known, _ files: [(file: String, text: DefinitionText)]) -> ValidationReport {
        var sources: [String: DefinitionText] = [:]
        var fingerprints: [String: String] = [:]
        for ((file, text), fingerprint) in zip(files, known.fingerprints) {
            sources[file] = text
            fingerprints[file] = fingerprint
        }
        var report = finish(known.definitions, DiagnosticBag(), files: files.map(\.file), incompleteFiles: [], unloaded: UnloadedDefinitions(),
                            sources: sources, fingerprints: fingerprints, trees: [:], knownClean: true, kept: known.policies)
        report.keptWorkflows = known.workflows
        return report
    }

    /// The report on `loaded`, each file's tree decoded and the set checked in full.
    private static func check(
        fingerprints wanted: Bool = false, _ loaded: [(file: String, result: YAMLLoadResult, text: DefinitionText)]
    ) -> ValidationReport {
        var bag = DiagnosticBag()
        var set = DefinitionSet()
        var sources: [String: DefinitionText] = [:]
        var incompleteFiles = Set<String>()
        var fingerprints: [String: String] = [:]
        var unloaded = UnloadedDefinitions()
        var trees: [String: YAMLNode] = [:]
        for (file, result, text) in loaded {
            sources[file] = text
            bag.append(contentsOf: result.errors.map { Diagnostic($0, source: text.textIfUnchanged ?? "") })
            guard let root = result.root else {
                unloaded.record(text.textIfUnchanged ?? "")
                continue
            }
            trees[file] = root
            if wanted { fingerprints[file] = SHA256.hex(root.canonicalBytes) }
            let (definition, diagnostics) = DefinitionDecoder.decode(root)
            bag.append(contentsOf: diagnostics)
            if diagnostics.contains(where: { $0.severity == .error }) || !result.errors.isEmpty {
                incompleteFiles.insert(file)
            }
            switch definition {
            case .workflow(let workflow): set.workflows.append(workflow)
            case .form(let form): set.forms.append(form)
            case .calendar(let calendar): set.calendars.append(calendar)
            case .policy(let policy): set.policies.append(policy)
            case .child(let child): set.children.append(child)
            case nil: unloaded.record(text.textIfUnchanged ?? "")
            }
        }
        return finish(set, bag, files: loaded.map(\.file), incompleteFiles: incompleteFiles, unloaded: unloaded,
                      sources: sources, fingerprints: fingerprints, trees: trees, knownClean: false)
    }

    /// The report on the decoded `set`: its checks across the set (only those the engine needs when `knownClean`, and
    /// none of a policy whose checked expressions are `kept`) added to `bag`.
    private static func finish(
        _ set: DefinitionSet, _ bag: DiagnosticBag, files: [String], incompleteFiles: Set<String>, unloaded: UnloadedDefinitions,
        sources: [String: DefinitionText], fingerprints: [String: String], trees: [String: YAMLNode], knownClean: Bool,
        kept: [String: CheckedPolicyExpressions] = [:]
    ) -> ValidationReport {
        var bag = bag
        let (diagnostics, workflowExpressions, policyExpressions) = DefinitionSetValidator.check(
            set, incompleteFiles: incompleteFiles, unloaded: unloaded, sources: sources, knownClean: knownClean, kept: kept
        )
        bag.append(contentsOf: diagnostics)
        return ValidationReport(
            definitions: set,
            diagnostics: Diagnostic.sortedForOutput(bag.diagnostics),
            files: files,
            texts: sources,
            fingerprints: fingerprints,
            workflowExpressions: workflowExpressions,
            policyExpressions: policyExpressions,
            trees: trees,
            workflowsUnchecked: knownClean
        )
    }
}
