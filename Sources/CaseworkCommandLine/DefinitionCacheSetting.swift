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
    /// `environment` gives a variable's value (the process's own by default).
    static func cache(_ parsed: ParsedArguments, environment: (String) -> String? = ProcessEnvironment.value) -> DefinitionCache? {
        guard !parsed.flags.contains(flag), environment("CASEWORK_NO_CACHE").map({ $0.isEmpty || $0 == "0" }) ?? true,
            let directory = directory(environment)
        else { return nil }
        return DefinitionCache(directory: directory, build: build)
    }

    /// The cache's directory, from the environment; nil when no variable names one.
    static func directory(_ environment: (String) -> String?) -> String? {
        func named(_ name: String) -> String? { environment(name).flatMap { $0.isEmpty ? nil : $0 } }
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
        /// The file this code was loaded from: the path `/proc/self/maps` gives for the mapping that holds this image
        /// (each line is `start-end perms offset device inode path`, the addresses in hexadecimal). The map is read a
        /// page at a time and only as far as that line: the kernel writes it as it is read, and the executable's
        /// mappings come first, so reading it whole (about forty lines a shared library) was most of this.
        static func loadedImage() -> String? {
            let descriptor = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            let address = UInt(bitPattern: #dsohandle)
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return nil }
                pending.append(contentsOf: chunk[0..<count])
                guard let lastBreak = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
                if let path = pending.withUnsafeBytes({ mapping(holding: address, in: UnsafeRawBufferPointer(rebasing: $0[..<lastBreak])) }) {
                    return path
                }
                pending.removeSubrange(...lastBreak)
            }
        }

        /// The path of the mapping in `bytes` (whole lines of `/proc/self/maps`) whose addresses hold `address`, if any.
        private static func mapping(holding address: UInt, in bytes: UnsafeRawBufferPointer) -> String? {
            var position = 0
            while position < bytes.count {
                let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                defer { position = end + 1 }
                var cursor = position
                func hexadecimal() -> UInt? {
                    var value: UInt = 0
                    let first = cursor
                    while cursor < end, let digit = Self.hexDigit(bytes[cursor]), value >> 60 == 0 {
                        value = value << 4 | digit
                        cursor += 1
                    }
                    return cursor > first ? value : nil
                }
                guard let low = hexadecimal(), cursor < end, bytes[cursor] == UInt8(ascii: "-") else { continue }
                cursor += 1
                guard let high = hexadecimal(), low <= address, address < high,
                    let slash = bytes[cursor..<end].firstIndex(of: UInt8(ascii: "/"))
                else { continue }
                return String(decoding: bytes[slash..<end], as: UTF8.self)
            }
            return nil
        }

        /// The value of one hexadecimal digit in lower case, as `/proc/self/maps` writes addresses.
        private static func hexDigit(_ byte: UInt8) -> UInt? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt(byte - UInt8(ascii: "a") + 10)
            default: nil
            }
        }
    #endif
}
