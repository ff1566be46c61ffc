import CaseworkExpressions

/// A workflow's expressions as the validation stage checked them: the names they read and every guard and `set:`
/// value that checked. The catalog plans these for the engine; nothing compiles them a second time.
public struct CheckedWorkflowExpressions: Sendable {
    /// The names the workflow's expressions read, with their types and how the engine values them.
    public var names: ExpressionNames<CaseExpressionInput>
    /// Each transition's checked guard, by transition name.
    public var guards: [String: CheckedExpression] = [:]
    /// Each transition's checked `set:` values, by transition name and then field.
    public var assignments: [String: [String: CheckedExpression]] = [:]
    /// Each notification's checked `when:` condition, by transition name and then the notification's place in `notify:`.
    public var notifyConditions: [String: [Int: CheckedExpression]] = [:]
    /// Each deadline's checked `when:` condition, by deadline name.
    public var deadlineConditions: [String: CheckedExpression] = [:]
    /// Each deadline's checked `due_on:` date, by deadline name.
    public var deadlineDueDates: [String: CheckedExpression] = [:]
    /// Each `open:` effect's checked field values, by transition name, then link, then the linked workflow's field.
    public var openings: [String: [String: [String: CheckedExpression]]] = [:]
    /// Each `report:` effect's checked input, by transition name and then the reported transition's field.
    public var reports: [String: [String: CheckedExpression]] = [:]

    /// Creates the expressions of a workflow with `names`, none yet checked.
    public init(names: ExpressionNames<CaseExpressionInput>) {
        self.names = names
    }
}

/// A policy's expressions as the validation stage checked them: the names they read, and every rule condition and
/// reason placeholder that checked. ``CompiledPolicy`` plans these; nothing compiles them a second time.
///
/// All of it but the names' readers is plain values, which a definition cache keeps (``DefinitionArchive``): a hit
/// reads them back and makes the names again from ``declarations`` instead of checking the policy.
public struct CheckedPolicyExpressions: Sendable {
    /// The names the policy's expressions read, with their types and how a decision values them.
    public var names: ExpressionNames<PolicyExpressionInput>
    /// What ``names`` were made from (``PolicyNames/make(from:)``).
    package var declarations: PolicyNames.Declarations
    /// Each rule's checked condition, by rule id.
    public var conditions: [String: CheckedExpression] = [:]
    /// Each rule's checked reason placeholders, by rule id and then the placeholder's offset in the reason.
    public var reasons: [String: [Int: CheckedExpression]] = [:]
    /// The parts of a case the policy can name in its set, as the checks worked them out (nil: not worked out yet), so
    /// compiling the policy does not work them out a second time.
    public var paths: ResourcePaths?

    /// Creates the expressions of a policy whose names `declarations` make, none yet checked.
    package init(declarations: PolicyNames.Declarations) {
        names = PolicyNames.make(from: declarations)
        self.declarations = declarations
    }
}
