import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkStore

/// Why a transition or step cannot be done now, with a stable code callers can branch on.
public struct TransitionBlocker: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of blocker.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The case is not in a state the transition leaves from.
        case wrongState = "wrong_state"
        /// The actor's role may not do this step.
        case roleNotAllowed = "role_not_allowed"
        /// The guard is false.
        case guardFalse = "guard_false"
        /// The guard cannot be decided (it reads a field that is not set).
        case guardUndecided = "guard_undecided"
        /// A required input value was not given.
        case missingInput = "missing_input"
        /// A value the transition sets cannot be worked out (it reads a field that is not set).
        case valueUndecided = "value_undecided"
        /// The workflow's access policy does not allow this actor to do this step.
        case policyDenied = "policy_denied"
        /// The form is not at a point of its cycle where this step can be taken.
        case formStatus = "form_status"
        /// The deadline is not in a state where this can be done to it.
        case deadlineStatus = "deadline_status"
        /// The step would change nothing (revoking a grant that does not exist).
        case nothingToChange = "nothing_to_change"
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

/// The small closed set of refusal kinds a caller branches on; an HTTP service maps them to
/// 403, 404, 409, 422, 409/423 and 500/503.
public enum RefusalCode: String, Sendable, Hashable, CaseIterable, Codable {
    /// The actor may not do this, or may not know whether the case exists.
    case forbidden
    /// There is no such case, form or workflow (said only to those allowed to know).
    case notFound = "not_found"
    /// The case changed since the caller read it, or an idempotency key was used for another request.
    case conflict
    /// A value given cannot be used; every problem is listed with its path.
    case invalidInput = "invalid_input"
    /// The step cannot be taken now (state, guard, form or deadline status); the blockers say why in plain words.
    case blocked
    /// The definitions cannot run this (invalid, or a version or policy that cannot be loaded).
    case definitionError = "definition_error"
    /// The store failed; nothing was changed and the request may be retried.
    case unavailable
}

/// Why the engine refused a request. Whenever one is thrown, nothing was changed.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// The definition files have errors; the engine does not run invalid definitions.
    case invalidDefinitions([Diagnostic])
    /// The definitions cannot do what was asked (a policy or an older version that cannot be loaded).
    case definitionError(String)
    /// No workflow with this id is loaded.
    case unknownWorkflow(String, suggestion: String?)
    /// No case with this id (said only to those allowed to know).
    case caseNotFound(String)
    /// The actor may not do this; the reasons are the policy's own words and reveal nothing of the case.
    case forbidden(reasons: [String])
    /// The workflow has no transition with this name.
    case unknownTransition(String, workflow: String, suggestion: String?)
    /// The transition or step cannot be taken now.
    case blocked(transition: String, blockers: [TransitionBlocker])
    /// The values given do not fit.
    case invalidInput([InputProblem])
    /// The case has no form instance with this id.
    case unknownFormInstance(String, caseID: String)
    /// The caller expected another revision than the case has.
    case revisionMismatch(caseID: String, expected: Int, actual: Int)
    /// An idempotency key was used before, by the same actor, for a different request.
    case idempotencyKeyReused(key: String, firstRequest: String)
    /// A case id that is not a usable name.
    case invalidCaseID(String)
    /// The store refused or failed.
    case store(StoreError)

    /// The refusal's kind.
    public var code: RefusalCode {
        switch self {
        case .invalidDefinitions, .definitionError: .definitionError
        case .unknownWorkflow, .caseNotFound, .unknownFormInstance: .notFound
        case .forbidden: .forbidden
        case .unknownTransition, .invalidInput, .invalidCaseID: .invalidInput
        case .blocked: .blocked
        case .revisionMismatch, .idempotencyKeyReused: .conflict
        case .store(.revisionConflict), .store(.duplicate), .store(.caseExists), .store(.childExists), .store(.childRevisionConflict): .conflict
        case .store(.caseNotFound), .store(.childNotFound): .notFound
        case .store(.definitionChanged), .store(.snapshotIncomplete): .definitionError
        case .store(.invalidCursor), .store(.invalidPage): .invalidInput
        case .store(.busy), .store(.failed), .store(.missing), .store(.readOnly), .store(.damaged), .store(.corruptRecord): .unavailable
        }
    }

    /// One line a user can act on; for blockers and input problems, each on a line after it.
    public var description: String {
        switch self {
        case .invalidDefinitions(let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            return "the definitions have \(errors.count) error\(errors.count == 1 ? "" : "s"); run 'casework validate' (first: \(errors.first?.description ?? "none"))"
        case .definitionError(let message): return message
        case .unknownWorkflow(let id, let suggestion):
            return "no workflow '\(id)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .caseNotFound(let id): return "no case '\(id)'"
        case .forbidden(let reasons):
            return "you may not do this" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))
        case .unknownTransition(let name, let workflow, let suggestion):
            return "workflow '\(workflow)' has no transition '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .blocked(let transition, let blockers):
            return "cannot do '\(transition)' now:" + blockers.map { "\n  - \($0.message)" }.joined()
        case .invalidInput(let problems):
            return "the values given cannot be used:" + problems.map { "\n  - \($0)" }.joined()
        case .unknownFormInstance(let id, let caseID): return "case '\(caseID)' has no form '\(id)'"
        case .revisionMismatch(let caseID, let expected, let actual):
            return "case '\(caseID)' is at revision \(actual), not \(expected); read it again and retry"
        case .idempotencyKeyReused(let key, let first):
            return "key '\(key)' was already used for a different request (\(first)); nothing was changed: use a new key for a new request"
        case .invalidCaseID(let id): return "'\(id)' is not a usable case id: use letters, digits, '-', '_' and '.'"
        case .store(let error): return error.description
        }
    }

    /// A definition path that names nothing a loader can read (missing, or not a regular file or directory): the one
    /// error every command and loader of definition files gives for it, placed at the path.
    package static func unreadableDefinitions(_ missing: DefinitionFiles.MissingPath) -> EngineError {
        .invalidDefinitions([Diagnostic(.unreadableFile(reason: missing.description), at: .startOf(missing.path))])
    }
}
