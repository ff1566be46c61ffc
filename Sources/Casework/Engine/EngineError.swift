/// Why a transition cannot fire now, with a stable code callers can branch on.
public struct TransitionBlocker: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of blocker.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The case is not in a state the transition leaves from.
        case wrongState = "wrong_state"
        /// The actor's role may not fire it.
        case roleNotAllowed = "role_not_allowed"
        /// The guard is false.
        case guardFalse = "guard_false"
        /// The guard cannot be decided (it reads a field that is not set).
        case guardUndecided = "guard_undecided"
        /// A required input value was not given.
        case missingInput = "missing_input"
        /// A value the transition sets cannot be worked out (it reads a field that is not set).
        case valueUndecided = "value_undecided"
        /// The workflow's access policy does not allow this actor to act on the case.
        case policyDenied = "policy_denied"
    }

    /// What blocks.
    public var code: Code
    /// The reason in plain words.
    public var message: String

    /// Creates a blocker.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The reason in plain words.
    public var description: String { message }
}

/// A value an actor gave that cannot be used, with the field it was for.
public struct InputProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field.
    public var field: String
    /// What is wrong.
    public var message: String

    /// Creates a problem.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "'\(field)': \(message)" }
}

/// Why the engine refused a request. Whenever one is thrown, nothing was changed.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// The definition files have errors; the engine does not run invalid definitions.
    case invalidDefinitions([Diagnostic])
    /// No workflow with this id is loaded.
    case unknownWorkflow(String, suggestion: String?)
    /// No case with this id.
    case caseNotFound(String)
    /// The workflow has no transition with this name.
    case unknownTransition(String, workflow: String, suggestion: String?)
    /// The transition cannot fire now.
    case blocked(transition: String, blockers: [TransitionBlocker])
    /// The values given do not fit the declared fields.
    case invalidInput([InputProblem])
    /// The case has no form instance with this id.
    case unknownFormInstance(String, caseID: String)
    /// The form step is not allowed: wrong actor, or wrong point in the cycle.
    case formStepRefused(String)
    /// The caller expected another revision than the case has.
    case revisionMismatch(caseID: String, expected: Int, actual: Int)
    /// An idempotency key was reused for a different request.
    case idempotencyKeyReused(key: String, firstRequest: String)
    /// A case id that is not a usable name.
    case invalidCaseID(String)
    /// The store refused or failed.
    case store(StoreError)

    /// One line a user can act on; for blockers, the reasons after it.
    public var description: String {
        switch self {
        case .invalidDefinitions(let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            return "the definitions have \(errors.count) error\(errors.count == 1 ? "" : "s"); run 'casework validate' (first: \(errors.first?.description ?? "none"))"
        case .unknownWorkflow(let id, let suggestion):
            return "no workflow '\(id)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .caseNotFound(let id): return "no case '\(id)'"
        case .unknownTransition(let name, let workflow, let suggestion):
            return "workflow '\(workflow)' has no transition '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .blocked(let transition, let blockers):
            return "cannot fire '\(transition)':" + blockers.map { "\n  - \($0.message)" }.joined()
        case .invalidInput(let problems):
            return "the values given cannot be used:" + problems.map { "\n  - \($0)" }.joined()
        case .unknownFormInstance(let id, let caseID): return "case '\(caseID)' has no form '\(id)'"
        case .formStepRefused(let reason): return reason
        case .revisionMismatch(let caseID, let expected, let actual):
            return "case '\(caseID)' is at revision \(actual), not \(expected); read it again and retry"
        case .idempotencyKeyReused(let key, let first):
            return "key '\(key)' was already used for '\(first)'; use a new key for a different request"
        case .invalidCaseID(let id): return "'\(id)' is not a usable case id: use letters, digits, '-' and '_'"
        case .store(let error): return error.description
        }
    }
}
