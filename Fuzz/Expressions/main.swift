// libFuzzer target: the guard language's parser and checker, as a workflow's `when:` and a deadline's date are
// compiled, in an environment with a name of every type.
import CaseworkExpressions
import Foundation
import FuzzSupport

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

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = Names.environment
runFuzzer(fuzz)
