/// A decoded definition set and its policies' checked expressions written as bytes and read back, so a definition
/// cache's hit need not load or decode any file nor check any policy (``Validator/validate(_:known:limits:)``).
///
/// It holds the set as a hit needs it: each workflow as its outline (what ``DefinitionDecoder/decode(_:outline:)``
/// gives; the rest is read from the workflow's own region when it is first run, ``readWorkflow(_:at:files:in:)``),
/// every form, calendar, policy and child definition whole; then, for each policy in order, its checked expressions if
/// the validation kept them (``Validator/Known/policies``): what its names are made from, its resource paths' fields,
/// and its conditions and reason placeholders as syntax trees with their nodes' types (`CheckedPolicyParts.swift`).
/// Hand-written (``ArchiveWriter``, ``ArchiveReader``, one file of parts for each kind of definition), not `Codable`,
/// whose generic instantiations were the cold-start cost a hit avoids. It is meant for the build that wrote it (the
/// cache's key names the build), so it carries no version of its own, and no checksum: the caller checks the whole
/// entry's. Every source range's file and every definition's file is written as the file's index in the set's files
/// and read back as that file's path (the number a range holds for its file is this process's). Reading checks every
/// byte it reads (``ArchiveReader``): any bytes at all give a set or nil, and a set read, written again, reads back the
/// same (`DefinitionArchiveCheck`, the `definition-archive` fuzz target).
package enum DefinitionArchive {
    /// The deepest a field type or a value may be nested (a record in a list in a record …): deeper than any a file
    /// within the loader's depth limit can declare, and shallow enough that reading recursively is safe.
    static let maximumDepth = 128

    /// Appends `known`'s set, decoded from `files` (in order; every definition's and every range's file one of them),
    /// and its policies' checked expressions to `output`; false, with `output` unchanged, when a workflow holds more than
    /// its outline, a range or a definition names a file outside `files`, or a value is nested deeper than ``maximumDepth``.
    /// (`known`'s fingerprints and workflows are not written here: the caller keeps them.)
    package static func append(_ known: Validator.Known, files: [String], to output: inout [UInt8]) -> Bool {
        let set = known.definitions
        var writer = ArchiveWriter(files: files)
        do throws(ArchiveWriter.Unwritable) {
            try writer.list(set.workflows) { (writer, workflow) throws(ArchiveWriter.Unwritable) in try writer.workflow(workflow) }
            try writer.list(set.forms) { (writer, form) throws(ArchiveWriter.Unwritable) in try writer.form(form) }
            try writer.list(set.calendars) { (writer, calendar) throws(ArchiveWriter.Unwritable) in try writer.calendar(calendar) }
            try writer.list(set.policies) { (writer, policy) throws(ArchiveWriter.Unwritable) in try writer.policy(policy) }
            try writer.list(set.children) { (writer, child) throws(ArchiveWriter.Unwritable) in try writer.child(child) }
            for policy in set.policies {
                try writer.optional(known.policies[policy.id.value]) { (writer, checked) throws(ArchiveWriter.Unwritable) in try writer.checkedPolicy(checked) }
            }
        } catch {
            return false
        }
        output.append(contentsOf: writer.bytes)
        return true
    }

    /// Reads what ``append(_:files:to:)`` wrote for `files` from `input` at `offset`, as what is kept of a set whose files
    /// have the content fingerprints `fingerprints` (in order), and moves `offset` past it; nil (with `offset` unchanged) when the bytes there are not a whole,
    /// well-formed set and checked expressions.
    package static func read(_ input: UnsafeRawBufferPointer, at offset: inout Int, files: [String], fingerprints: [String]) -> Validator.Known? {
        var reader = ArchiveReader(input, at: offset, files: files)
        do throws(ArchiveReader.Damage) {
            let workflows = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.workflow() }
            let forms = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.form() }
            let calendars = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.calendar() }
            let policies = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.policy() }
            let children = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.child() }
            // A validated set names each definition once within its kind, and a policy's checked expressions are kept by
            // its id: bytes naming one twice are not a set the writer wrote (found by the `definition-archive` fuzz target).
            for ids in [workflows.map(\.id.value), forms.map(\.id.value), calendars.map(\.id.value), policies.map(\.id.value), children.map(\.id.value)]
            where Set(ids).count != ids.count {
                throw ArchiveReader.Damage()
            }
            var expressions: [String: CheckedPolicyExpressions] = [:]
            for policy in policies {
                guard let kept = try reader.optional({ (reader) throws(ArchiveReader.Damage) in try reader.checkedPolicy(of: policy) }) else { continue }
                guard expressions.updateValue(kept, forKey: policy.id.value) == nil else { throw ArchiveReader.Damage() }
            }
            offset = reader.offset
            let set = DefinitionSet(workflows: workflows, forms: forms, calendars: calendars, policies: policies, children: children)
            return Validator.Known(fingerprints: fingerprints, definitions: set, policies: expressions)
        } catch {
            return nil
        }
    }

    /// Appends `kept`'s whole workflow and checked expressions (a workflow of a set read from `files`, in order) to
    /// `output`, as its own region of a definition cache's entry; false, with `output` unchanged, when a range or its
    /// file names a file outside `files` or a value is nested deeper than ``maximumDepth``. The names are not written:
    /// ``readWorkflow(_:at:files:in:)`` makes them again.
    package static func appendWorkflow(_ kept: KeptWorkflow, files: [String], to output: inout [UInt8]) -> Bool {
        var writer = ArchiveWriter(files: files)
        do throws(ArchiveWriter.Unwritable) {
            try writer.wholeWorkflow(kept.definition)
            try writer.checkedWorkflow(kept.expressions)
        } catch {
            return false
        }
        output.append(contentsOf: writer.bytes)
        return true
    }

    /// Reads what ``appendWorkflow(_:files:to:)`` wrote for `files` from `input` at `offset`, a workflow of `set` (the
    /// set read with it: each workflow as its outline), and moves `offset` past it; nil (with `offset` unchanged) when
    /// the bytes there are not a whole, well-formed workflow and checked expressions. Its names are made as the check
    /// made them: by ``WorkflowNames/make(for:linked:child:)`` from the whole workflow, the workflows it links to (which
    /// it reads for their ids, states and fields, all in their outlines) and the set's child definition.
    package static func readWorkflow(_ input: UnsafeRawBufferPointer, at offset: inout Int, files: [String], in set: DefinitionSet) -> KeptWorkflow? {
        var reader = ArchiveReader(input, at: offset, files: files)
        do throws(ArchiveReader.Damage) {
            let definition = try reader.wholeWorkflow()
            var expressions = CheckedWorkflowExpressions(names: WorkflowNames.make(
                for: definition, linked: LinkChecks.linkedWorkflows(of: definition, in: set), child: set.child
            ))
            try reader.checkedWorkflow(into: &expressions)
            offset = reader.offset
            return KeptWorkflow(definition: definition, expressions: expressions)
        } catch {
            return nil
        }
    }
}
