import Foundation

/// Finds the definition files under the paths a user names.
public enum DefinitionFiles {
    /// A path that names nothing on disk.
    public struct MissingPath: Error, Sendable, Hashable, CustomStringConvertible {
        /// The path as given.
        public var path: String
        /// `no such file or directory: PATH`.
        public var description: String { "no such file or directory: \(path)" }
    }

    /// Every `*.yaml` and `*.yml` file under `paths`, searched recursively (a directory named `x.yaml` is searched, not read), sorted and without repeats.
    /// A path that is a file is taken as it is, whatever its extension.
    public static func discover(_ paths: [String]) throws(MissingPath) -> [String] {
        let manager = FileManager.default
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw MissingPath(path: path) }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let entries = (manager.enumerator(atPath: path)?.allObjects as? [String]) ?? []
            for entry in entries where entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                let file = "\(base)/\(entry)"
                var entryIsDirectory: ObjCBool = false
                if manager.fileExists(atPath: file, isDirectory: &entryIsDirectory), entryIsDirectory.boolValue { continue }
                files.append(file)
            }
        }
        var seen = Set<String>()
        return files.sorted().filter { seen.insert($0).inserted }
    }
}
