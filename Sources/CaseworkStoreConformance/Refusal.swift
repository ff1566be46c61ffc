import CaseworkEngine

/// How `body` was refused: an engine error's code and text (`forbidden: …`), any other error's text, or nil when it
/// was not refused. The one way the conformance checks and the tests compare refusals, so that "refused as for a
/// missing case" compares the same words however the refusal came.
public func refusalText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as EngineError {
        return "\(error.code.rawValue): \(error)"
    } catch {
        return "\(error)"
    }
}
