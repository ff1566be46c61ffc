// libFuzzer target: the guard language's parser and checker, as a workflow's `when:` and a deadline's date are
// compiled, in an environment with a name of every type.
import CLibFuzzer
import CaseworkExpressions
import Foundation

enum Names {
    static let environment: ExpressionEnvironment = {
        let requester = EnumerationDomain(name: "value of 'requested_by'", member: "a value of 'requested_by'", values: ["parent", "school", "young_person"])
        var environment = ExpressionEnvironment(names: [
            "flag": .bool, "count": .int, "hours": .decimal, "name": .string, "requested_on": .date, "decided_at": .datetime,
            "window": .duration, "requested_by": .enumeration(requester), "needs": .list(.string), "scores": .list(.int),
            "child.first_name": .string, "child.date_of_birth": .date,
        ], dateOfBirth: "child.date_of_birth")
        environment.groups.insert("child")
        return environment
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = ExpressionChecker.compile(text, in: Names.environment)
    _ = ExpressionChecker.compile(text, in: Names.environment, expecting: .date, role: "deadline")
    return 0
}

// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is not the one that runs: this file's
// top-level code hands the arguments to libFuzzer's driver (Fuzz/run.sh says how the targets are built). What
// every input shares is made first, so that libFuzzer's leak check does not count it against the first input.
_ = Names.environment
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
