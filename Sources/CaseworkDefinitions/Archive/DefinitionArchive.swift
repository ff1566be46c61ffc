/// A decoded definition set written as bytes and read back, so a definition cache's hit need not decode the kept trees
/// (``Validator/validate(_:known:limits:)``).
///
/// It holds the set as a hit needs it: each workflow as its outline (what ``DefinitionDecoder/decode(_:outline:)``
/// gives; the rest is decoded from the workflow's kept tree when it is first run), every form, calendar, policy and
/// child definition whole. Hand-written (``ArchiveWriter``, ``ArchiveReader``, one file of parts for each kind of
/// definition), not `Codable`, whose generic instantiations were the cold-start cost a hit avoids. It is meant for the
/// build that wrote it (the cache's key names the build), so it carries no version of its own, and no checksum: the
/// caller checks the whole entry's. Every source range's file and every definition's file is written as the file's
/// index in the set's files and read back as that file's path (the number a range holds for its file is this
/// process's). Reading checks every byte it reads (``ArchiveReader``): any bytes at all give a set or nil.
package enum DefinitionArchive {
    /// The deepest a field type or a value may be nested (a record in a list in a record …): deeper than any a file
    /// within the loader's depth limit can declare, and shallow enough that reading recursively is safe.
    static let maximumDepth = 128

    /// Appends `set`, decoded from `files` (in order; every definition's and every range's file one of them), to
    /// `output`; false, with `output` unchanged, when a workflow holds more than its outline, a range or a definition
    /// names a file outside `files`, or a value is nested deeper than ``maximumDepth``.
    package static func append(_ set: DefinitionSet, files: [String], to output: inout [UInt8]) -> Bool {
        var writer = ArchiveWriter(files: files)
        do throws(ArchiveWriter.Unwritable) {
            try writer.list(set.workflows) { (writer, workflow) throws(ArchiveWriter.Unwritable) in try writer.workflow(workflow) }
            try writer.list(set.forms) { (writer, form) throws(ArchiveWriter.Unwritable) in try writer.form(form) }
            try writer.list(set.calendars) { (writer, calendar) throws(ArchiveWriter.Unwritable) in try writer.calendar(calendar) }
            try writer.list(set.policies) { (writer, policy) throws(ArchiveWriter.Unwritable) in try writer.policy(policy) }
            try writer.list(set.children) { (writer, child) throws(ArchiveWriter.Unwritable) in try writer.child(child) }
        } catch {
            return false
        }
        output.append(contentsOf: writer.bytes)
        return true
    }

    /// Reads a set written by ``append(_:files:to:)`` for `files` from `input` at `offset`, and moves `offset` past it;
    /// nil (with `offset` unchanged) when the bytes there are not a whole, well-formed set.
    package static func read(_ input: UnsafeRawBufferPointer, at offset: inout Int, files: [String]) -> DefinitionSet? {
        var reader = ArchiveReader(input, at: offset, files: files)
        do throws(ArchiveReader.Damage) {
            let workflows = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.workflow() }
            let forms = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.form() }
            let calendars = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.calendar() }
            let policies = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.policy() }
            let children = try reader.list { (reader) throws(ArchiveReader.Damage) in try reader.child() }
            offset = reader.offset
            return DefinitionSet(workflows: workflows, forms: forms, calendars: calendars, policies: policies, children: children)
        } catch {
            return nil
        }
    }
}
