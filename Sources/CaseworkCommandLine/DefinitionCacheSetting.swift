import Casework
import CaseworkEngine
import Foundation

/// Whether and where the command line keeps its definition cache (``DefinitionCache``): read in this one place.
///
/// The directory is `$CASEWORK_CACHE_DIR`, else `$XDG_CACHE_HOME/casework`, else `~/.cache/casework`; `--no-cache`
/// or `CASEWORK_NO_CACHE=1` turns the cache off (every definition file is then validated in full, as
/// `casework validate` always does).
enum DefinitionCacheSetting {
    /// The flag that turns the cache off for one command.
    static let flag = "--no-cache"

    /// The cache a command uses, or nil when it is off or there is nowhere to keep it.
    static func cache(_ parsed: ParsedArguments, environment: [String: String] = ProcessInfo.processInfo.environment) -> DefinitionCache? {
        guard !parsed.flags.contains(flag), environment["CASEWORK_NO_CACHE"].map({ $0.isEmpty || $0 == "0" }) ?? true,
            let directory = directory(environment)
        else { return nil }
        return DefinitionCache(directory: directory, build: build)
    }

    /// The cache's directory, from the environment; nil when no variable names one.
    static func directory(_ environment: [String: String]) -> String? {
        func named(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let directory = named("CASEWORK_CACHE_DIR") { return directory }
        if let base = named("XDG_CACHE_HOME"), base.hasPrefix("/") { return base + "/casework" }
        return named("HOME").map { $0 + "/.cache/casework" }
    }

    /// This build: the version and the running executable's device, inode, size and modification time, so an entry
    /// validated by one build of the tool is never trusted by another (a rebuilt validator may refuse what the old one
    /// accepted). On Linux the executable is `/proc/self/exe` and also the file the code was loaded from, as the
    /// process's memory map names it (``loadedImage()``): under a tool that runs the program itself (valgrind), `/proc/self/exe` is the tool,
    /// and only the second tells one build of Casework from another. An executable that cannot be found makes a build
    /// no entry matches.
    static let build: String = {
        #if os(Linux)
            let executables = ["/proc/self/exe"] + (loadedImage().map { [$0] } ?? [])
        #else
            let executables = [Bundle.main.executablePath ?? CommandLine.arguments[0]]
        #endif
        var stamps: [String] = []
        for executable in executables {
            var info = stat()
            guard stat(executable, &info) == 0 else {
                if executable == executables[0] { return "\(CaseworkVersion.description) \(UUID().uuidString)" }
                stamps.append("unknown")
                continue
            }
            #if os(Linux)
                let modified = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
            #else
                let modified = "\(info.st_mtimespec.tv_sec).\(info.st_mtimespec.tv_nsec)"
            #endif
            stamps.append("\(info.st_dev) \(info.st_ino) \(info.st_size) \(modified)")
        }
        return "\(CaseworkVersion.description) \(stamps.joined(separator: " "))"
    }()

    #if os(Linux)
        /// The file this code was loaded from: the path `/proc/self/maps` gives for the mapping that holds this image.
        static func loadedImage() -> String? {
            guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
            let address = UInt(bitPattern: #dsohandle)
            for line in maps.split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
                let path = fields.count == 6 ? fields[5].drop { $0 == " " } : ""
                guard path.hasPrefix("/") else { continue }
                let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
                if bounds.count == 2, bounds[0] <= address, address < bounds[1] { return String(path) }
            }
            return nil
        }
    #endif
}
