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
    /// accepted). An executable that cannot be found makes a build no entry matches.
    static let build: String = {
        #if os(Linux)
            let executable = "/proc/self/exe"
        #else
            let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
        var info = stat()
        guard stat(executable, &info) == 0 else { return "\(CaseworkVersion.description) \(UUID().uuidString)" }
        #if os(Linux)
            let modified = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        #else
            let modified = "\(info.st_mtimespec.tv_sec).\(info.st_mtimespec.tv_nsec)"
        #endif
        return "\(CaseworkVersion.description) \(info.st_dev) \(info.st_ino) \(info.st_size) \(modified)"
    }()
}
