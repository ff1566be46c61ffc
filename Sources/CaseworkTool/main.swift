import CaseworkCommandLine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

exit(CaseworkCommand.run(Array(CommandLine.arguments.dropFirst()), console: StandardConsole()).rawValue)
