/// What a step the engine makes once and keeps (a workflow decoded or planned on first use) came to: its value, or the
/// ``EngineError`` it failed with.
///
/// Not `Result`: a kept value's type is built by the runtime from its mangled name the first time a process uses it,
/// and `Result`'s `Failure: Error` requirement makes that ask whether ``EngineError`` is an `Error`, which scans every
/// conformance record of every loaded image (about 0.3 million instructions, once a process). This type has no
/// requirement to check.
enum EngineOutcome<Value: Sendable>: Sendable {
    /// The step made `Value`.
    case made(Value)
    /// The step failed.
    case failed(EngineError)

    /// The outcome of `step`: what it returns, or what it throws.
    init(_ step: () throws(EngineError) -> Value) {
        do {
            self = .made(try step())
        } catch {
            self = .failed(error)
        }
    }

    /// The value, or the error thrown.
    func get() throws(EngineError) -> Value {
        switch self {
        case .made(let value): return value
        case .failed(let error): throw error
        }
    }
}
