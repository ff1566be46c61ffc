import Foundation

/// Finds the definition files under the paths a user names.
///
/// Only regular files are definition files, and each path's kind is found with `stat` before anything opens
/// it: opening a FIFO blocks until something writes to it, so a FIFO named `x.yaml` would stop every command.
package enum DefinitionFiles {
    /// A path that names no definition file or directory: nothing at all, or something else (a FIFO, a socket, a device).
    package struct MissingPath: Error, Sendable, Hashable, CustomStringConvertible {
        /// The path as given.
        package var path: String
        /// What is there instead, when something is (`a FIFO`); nil when nothing is.
        package var found: String? = nil
        /// `no such file or directory: PATH`, or `not a regular file or directory (a FIFO): PATH`.
        package var description: String {
            found.map { "not a regular file or directory (\($0)): \(path)" } ?? "no such file or directory: \(path)"
        }
    }

    /// What names a scenario file (`casework test`): it is found under the same directories as definitions, but is not one.
    package static let scenarioSuffix = ".test.yaml"

    /// Every regular `*.yaml` and `*.yml` file under `paths`, searched recursively (a directory named `x.yaml` is
    /// searched, not read), sorted and without repeats; with `scenarios`, only the `*.test.yaml` scenario files, which
    /// are otherwise left out.
    ///
    /// A path that is a regular file is taken as it is, whatever its extension; one that is neither a regular file
    /// nor a directory is refused. Inside a directory, a `*.yaml` entry that is not a regular file (a FIFO, a socket,
    /// a device) is not a definition file and is skipped, unopened. An entry whose kind cannot be read (a broken
    /// symbolic link) is kept, so loading it reports why it cannot be read.
    package static func discover(_ paths: [String], scenarios: Bool = false) throws(MissingPath) -> [String] {
        var files: [String] = []
        for path in paths {
            switch kind(of: path) {
            case nil: throw MissingPath(path: path)
            case .other(let found): throw MissingPath(path: path, found: found)
            case .regular:
                files.append(path)
                continue
            case .directory: break
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            var entries: [String] = []
            walk(path, under: "", into: &entries)
            for entry in entries where (entry.hasSuffix(".yaml") || entry.hasSuffix(".yml")) && entry.hasSuffix(scenarioSuffix) == scenarios {
                let file = "\(base)/\(entry)"
                switch kind(of: file) {
                case .regular, nil: files.append(file)
                case .directory, .other: continue
                }
            }
        }
        var seen = Set<String>()
        return files.sorted().filter { seen.insert($0).inserted }
    }

    /// Every entry under the directory `directory`, as a path relative to the directory the walk began in
    /// (`prefix` is `directory`'s own, empty at the top), searched recursively, hidden entries included. A symbolic
    /// link is an entry and is never followed into (so a link cannot make the walk loop), and a directory that cannot
    /// be read adds nothing, as Foundation's directory enumerator did; `readdir` is used because that enumerator was a
    /// twentieth of a warm `casework case show` (docs/performance.md, Benchmarks, `cli`).
    private static func walk(_ directory: String, under prefix: String, into entries: inout [String]) {
        guard let stream = opendir(directory) else { return }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            // Read up to the name's terminating NUL in place: a `dirent` is only as long as its name (`d_reclen`), so
            // copying the whole 256-byte `d_name` out of it would read past the entry, and past the end of the
            // directory stream's buffer for its last entry.
            let name = withUnsafePointer(to: &entry.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) { String(cString: $0) }
            }
            guard name != ".", name != ".." else { continue }
            let relative = prefix.isEmpty ? name : "\(prefix)/\(name)"
            entries.append(relative)
            let full = "\(directory)/\(name)"
            var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                var status = stat()
                isDirectory = lstat(full, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
            }
            if isDirectory { walk(full, under: relative, into: &entries) }
        }
    }

    /// Whether ``discover(_:scenarios:)`` takes `path` (a regular file or a directory), found with one `stat`,
    /// without walking a directory.
    package static func isDiscoverable(_ path: String) -> Bool {
        switch kind(of: path) {
        case .regular, .directory: true
        case .other, nil: false
        }
    }

    /// The project definitions around `paths`: for each path inside a directory named `Workflows` or `Policies`,
    /// the `Workflows/` and `Policies/` beside the nearest such directory, those that exist, as absolute paths.
    ///
    /// `casework validate` checks the files it names against these, so one file (as an editor checks it on save)
    /// resolves its forms, calendars and policy as the whole project does.
    package static func project(around paths: [String]) -> [String] {
        var found: [String] = []
        for path in paths {
            let components = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
            guard let index = components.lastIndex(where: { $0 == "Workflows" || $0 == "Policies" }) else { continue }
            let root = NSString.path(withComponents: Array(components[..<index]))
            for directory in ["Workflows", "Policies"] {
                let candidate = (root as NSString).appendingPathComponent(directory)
                if case .directory = kind(of: candidate), !found.contains(candidate) { found.append(candidate) }
            }
        }
        return found
    }

    /// A path's absolute, standardized form, for telling whether two spellings name one file.
    package static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// What a path names, following symbolic links.
    private enum Kind {
        case regular
        case directory
        /// Anything else, described (`a FIFO`).
        case other(String)
    }

    /// The kind of what `path` names, read with `stat` without opening it; nil when it cannot be read (nothing there).
    private static func kind(of path: String) -> Kind? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFIFO: return .other("a FIFO")
        case S_IFSOCK: return .other("a socket")
        case S_IFCHR, S_IFBLK: return .other("a device")
        default: return .other("not a regular file")
        }
    }
}
