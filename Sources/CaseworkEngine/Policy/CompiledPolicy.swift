import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkTime
import Foundation
import Synchronization

/// A checked policy ready to decide requests: default deny, a matching deny beats any allow,
/// redactions from every matching allow apply, and every decision explains itself.
///
/// Its rules are compiled into an indexed form (``PolicyIndex``): the rules about each action and covering each
/// resource as bit sets, conditions reading their names from fixed slots, so a decision evaluates only the rules about
/// its request and renders its explanation only when read.
public struct CompiledPolicy: Sendable {
    /// The policy.
    public var definition: PolicyDefinition { parts.definition }
    /// The parts of a case the policy can name in its set, and what redacting each hides.
    public var paths: ResourcePaths { parts.paths }
    /// The names conditions and reasons read, and how a request values them.
    public var names: ExpressionNames<PolicyExpressionInput> { parts.names }
    /// The rules, indexed.
    var index: PolicyIndex { parts.index }
    /// Fills the slots the conditions and reasons read from a request.
    private var reader: ExpressionNames<PolicyExpressionInput>.SlotReader { parts.reader }

    /// Everything compiled, shared by every copy: a policy is copied into each case's access and each decision's
    /// evaluation, and copying one reference costs one count where copying the parts cost one for each.
    private let parts: Parts

    /// What compiling made: never changed after.
    private final class Parts: Sendable {
        let definition: PolicyDefinition
        let paths: ResourcePaths
        let names: ExpressionNames<PolicyExpressionInput>
        let index: PolicyIndex
        let reader: ExpressionNames<PolicyExpressionInput>.SlotReader
        /// The names of the actor's attributes the policy declares: what a recipient's denies may read (``RecipientDenies``).
        let attributeNames: Set<String>
        /// The recipients' denies, worked out the first time a notification's recipient is asked about
        /// (``recipientDenies``), not when the policy is compiled: `decide` and `case show` never ask, and working them out
        /// was a seventh of compiling the policy on every command (docs/performance.md, "Session 29"). Every thread that
        /// asks first works out the same value from the same parts, outside the lock, and the first stored is the one kept.
        /// A lock, not `AtomicLazyReference`: its `load()` is not inlined, and cost a policed fire 644 instructions.
        let recipientDenies = Mutex<RecipientDenies?>(nil)

        init(
            definition: PolicyDefinition, paths: ResourcePaths, names: ExpressionNames<PolicyExpressionInput>, index: PolicyIndex,
            reader: ExpressionNames<PolicyExpressionInput>.SlotReader, attributeNames: Set<String>
        ) {
            self.definition = definition
            self.paths = paths
            self.names = names
            self.index = index
            self.reader = reader
            self.attributeNames = attributeNames
        }
    }

    /// How notifications' recipients appear to the policy: for each `recipients:` profile, the deny rules known to hold
    /// for anyone with its attributes, whatever the case, their grant and the instant. Those are the denies whose
    /// condition reads nothing but the actor's attributes (``PolicyNames/attributeNames(_:)``,
    /// ``ExpressionNode/readsOnly(_:)``) or that have none, evaluated as a decision evaluates them (one that cannot be
    /// decided holds, to be safe).
    private final class RecipientDenies: Sendable {
        /// Each profile's role, in the policy's order, with the deny rules that hold for it.
        let profiled: [(role: String, denies: RuleMask)]
        /// The deny rules that hold for a recipient in a role with no profile, who comes with no attributes.
        let unprofiled: RuleMask

        init(profiled: [(role: String, denies: RuleMask)], unprofiled: RuleMask) {
            self.profiled = profiled
            self.unprofiled = unprofiled
        }
    }

    /// The policy whose parts are `parts`.
    private init(parts: Parts) {
        self.parts = parts
    }

    /// Words shown in place of a reason's placeholder whose value cannot be worked out (a date of birth not
    /// recorded, for instance): the same words a notification shows for a field not yet set, never a guess.
    public static let unknownValue = TemplateRenderer.notRecorded

    /// Plans `definition`'s conditions and reason placeholders as the validation stage checked them (`checked`), in
    /// `set`, without compiling any again (nor working out the resource paths again when `checked` carries them). A condition or placeholder that did not check (so `checked` lacks it) is a
    /// ``EngineError/definitionError(_:)``, never a rule or a placeholder silently left out; the catalog is built only
    /// from a report with no errors, so that does not happen there.
    public init(_ definition: PolicyDefinition, checked: CheckedPolicyExpressions?, in set: DefinitionSet) throws(EngineError) {
        let policy = "policy '\(definition.id.value)'"
        guard let checked else { throw .definitionError("the expressions of \(policy) were not checked") }
        let paths = checked.paths ?? ResourcePaths(policy: definition, workflows: set.workflows)
        var slots = checked.names.slots()
        var rules: [PolicyIndex.Rule] = []
        var conditions: [CompiledExpression?] = []
        for rule in definition.rules {
            let id = rule.id.value
            var reason: [PolicyIndex.ReasonPart]?
            if let text = rule.reason {
                var parts: [PolicyIndex.ReasonPart] = []
                for part in text.parts {
                    switch part {
                    case .literal(let text): parts.append(.literal(text))
                    case .expression(let text, let offset):
                        guard let placeholder = checked.reasons[id]?[offset] else {
                            throw .definitionError("the placeholder '{\(text)}' in the reason of rule '\(id)' of \(policy) was not checked")
                        }
                        parts.append(.value(CompiledExpression(placeholder, slots: &slots)))
                    }
                }
                reason = parts
            }
            var condition: CompiledExpression?
            if let when = rule.when {
                guard let checkedCondition = checked.conditions[id] else {
                    throw .definitionError("the condition '\(when.text)' of rule '\(id)' of \(policy) was not checked")
                }
                condition = CompiledExpression(checkedCondition, slots: &slots)
            }
            conditions.append(condition)
            rules.append(PolicyIndex.Rule(
                id: id, effect: rule.effect, conditionText: rule.when?.text ?? "",
                aboutGrants: condition?.checked.syntax.root.readPaths(dateOfBirth: nil).contains { $0.path.hasPrefix("grant.") } ?? false,
                reason: reason, redactions: rule.redact.map { paths.redaction(of: $0.value) },
                actionsText: rule.actions.map(\.value).joined(separator: ", "), onText: rule.on.map(\.value).joined(separator: ", ")
            ))
        }
        let index = PolicyIndex(rules, conditions: conditions, of: definition, paths: paths, frequent: Engine.frequentQuestionGroups)
        let reader = checked.names.slotReader(slots)
        parts = Parts(definition: definition, paths: paths, names: checked.names, index: index, reader: reader,
                      attributeNames: PolicyNames.attributeNames(checked.declarations))
    }

    /// The recipients' denies, worked out by the policy's own evaluation the first time they are asked for.
    private var recipientDenies: RecipientDenies {
        if let known = parts.recipientDenies.withLock({ $0 }) { return known }
        let index = index
        let fixed = RuleMask(index.rules.indices.filter { position in
            index.rules[position].effect == .deny && (index.conditions[position].map { $0.checked.syntax.root.readsOnly(parts.attributeNames) } ?? true)
        })
        let worked = RecipientDenies(
            profiled: parts.definition.recipients.map { (role: $0.role.value, denies: denies(fixed, holdingWith: $0.attributes)) },
            unprofiled: denies(fixed, holdingWith: [:])
        )
        return parts.recipientDenies.withLock { stored in
            if let first = stored { return first }
            stored = worked
            return worked
        }
    }

    /// Which of `rules` hold for an actor who comes with `attributes`, evaluated as a decision evaluates them, on a request
    /// that holds nothing else: for rules that read nothing but the actor's attributes, which then hold, or not, whatever
    /// else a request holds.
    private func denies(_ rules: RuleMask, holdingWith attributes: [String: ExpressionValue]) -> RuleMask {
        var evaluation = Evaluation(
            of: AccessRequest(actor: CaseActor(role: "", id: ""), attributes: attributes, action: "", resource: "", caseID: "", workflow: "", state: "",
                              fields: [:], grants: [], at: Self.recipientsInstant),
            by: self, explaining: false
        )
        evaluation.evaluate(rules)
        return evaluation.holding & rules
    }

    /// The instant the recipients' denies are evaluated at (``denies(_:holdingWith:)``): they read
    /// nothing but the actor's attributes, so any instant gives the same answer, but an evaluation works out the request's
    /// day. This one, 2000-01-01T00:00:00Z, falls in the years whose days are worked out by the summer-time rule
    /// (``StatutoryOffsets/isWorkedOutByRule(_:)``), so working them out loads no time zone data: at 1970 it loaded
    /// ICU's, in every command that compiled a policy (docs/performance.md, "Session 28").
    static let recipientsInstant = Date(timeIntervalSince1970: 946_684_800)

    /// The attributes a notification's recipient in `role` comes with: those of the role's `recipients:` profile (the
    /// first, if the policy gives several), none for a role it gives none.
    func recipientAttributes(of role: String) -> [String: ExpressionValue] {
        parts.definition.recipients.first { $0.role.value == role }?.attributes ?? [:]
    }

    /// The verdicts on `questions` for a notification's recipient in `role`, when the compiled policy alone decides them;
    /// nil when one of them needs the case, the recipient or the instant, for ``verdicts(_:asking:)`` to decide.
    ///
    /// A question is decided alone when it is refused whatever the request holds beyond the role's attributes: the policy
    /// cannot name it, no rule it considers allows, or one of the deny rules it considers holds for the role
    /// (``RecipientDenies``). Its outcome (``Evaluation/outcome(_:)``) is then a refusal that withholds nothing, as the
    /// verdict of a pass over the request gives: the question is only not evaluated. A recipient is never the operator,
    /// whom no policy guards.
    func recipientVerdicts(role: String, asking questions: [AccessQuestion]) -> [AccessVerdict]? {
        let known = recipientDenies
        let denies = known.profiled.first { $0.role == role }?.denies ?? known.unprofiled
        let index = index
        let group = index.questions(questions)
        for question in group.resolved where question.coverage != nil {
            let considered = question.considered
            if (considered & denies).isEmpty && !(considered & index.allows).isEmpty { return nil }
        }
        return group.resolved.map { _ in AccessVerdict(allowed: false, redactions: RedactionSet()) }
    }

    /// What in `request` the policy cannot decide on, each at its place in the request: an action the policy
    /// does not know, a resource path it cannot name, a grant whose principal's id is unusable, whose level is
    /// not one of the policy's, or whose sections are not parts of a case. A caller refuses such a request as
    /// bad input; ``decide(_:)`` denies it.
    public func problems(in request: AccessRequest) -> [InputProblem] {
        var problems: [InputProblem] = []
        if let problem = actionProblem(request.action) { problems.append(InputProblem(field: "action", message: problem)) }
        if let problem = resourceProblem(request.resource) { problems.append(InputProblem(field: "resource", message: problem)) }
        for (index, grant) in request.grants.enumerated() {
            if let problem = Principal.problem(withID: grant.to.id) { problems.append(InputProblem(field: "grants[\(index)].to", message: problem)) }
            if !definition.levels.contains(where: { $0.value == grant.level }) {
                problems.append(InputProblem(field: "grants[\(index)].level", message: "'\(grant.level)' is not a level of policy '\(definition.id.value)'"
                    + (NameSuggester.suggest(grant.level, from: definition.levels.map(\.value)).map { "; did you mean '\($0)'?" } ?? "")))
            }
            for (position, section) in (grant.sections ?? []).enumerated() {
                if let problem = resourceProblem(section) { problems.append(InputProblem(field: "grants[\(index)].sections[\(position)]", message: problem)) }
            }
        }
        return problems
    }

    /// Why `action` is not one the policy knows, or nil.
    func actionProblem(_ action: String) -> String? {
        let known = definition.knownActions
        guard !known.contains(action) else { return nil }
        return "'\(action)' is not an action of policy '\(definition.id.value)'"
            + (NameSuggester.suggest(action, from: known).map { "; did you mean '\($0)'?" } ?? "; the actions are \(known.joined(separator: ", "))")
    }

    /// Why `path` is not a part of a case the policy can name, or nil.
    func resourceProblem(_ path: String) -> String? {
        guard !paths.isKnown(path) else { return nil }
        let candidates = paths.resourceNames + paths.fieldPaths.map { "\(ResourcePaths.caseFields).\($0)" }
        return "'\(path)' is not a resource, section or field policy '\(definition.id.value)' knows"
            + (NameSuggester.suggest(path, from: candidates).map { "; did you mean '\($0)'?" } ?? "")
    }

    /// Decides `request`. An action the policy does not know, or a resource it cannot name, is covered by no rule
    /// and denied, saying which.
    ///
    /// Its question is found among those resolved when the policy was compiled (``PolicyIndex/question(_:)``), or
    /// resolved now.
    public func decide(_ request: consuming AccessRequest) -> AccessDecision {
        let question = index.question(AccessQuestion(request.action, on: request.resource))
        var evaluation = Evaluation(of: request, by: self, explaining: true)
        return evaluation.decide(question)
    }

    /// Whether `request` is allowed and what is withheld: ``decide(_:)``'s decision without its explanation (nothing is
    /// kept to say why), by the same steps, so the two always agree.
    func verdict(_ request: consuming AccessRequest) -> AccessVerdict {
        let question = index.question(AccessQuestion(request.action, on: request.resource))
        var evaluation = Evaluation(of: request, by: self, explaining: false)
        return evaluation.verdict(question)
    }

    /// The verdict on each of `questions` (an action on a resource) for `request`'s actor on `request`'s case, in one
    /// pass over the rules: the context is read once and each rule's condition evaluated at most once, since a
    /// condition reads the actor, their grant and the case, never the action or resource asked about. Each verdict is
    /// the one ``verdict(_:)`` gives for `request` with that action and resource (`request`'s own are not asked unless
    /// listed), and so agrees with the decision ``decide(_:)`` gives for it. A group the engine asks often is resolved
    /// once, when the policy is compiled (``PolicyIndex/questions(_:)``).
    func verdicts(_ request: consuming AccessRequest, asking questions: [AccessQuestion]) -> [AccessVerdict] {
        let group = index.questions(questions)
        var evaluation = Evaluation(of: request, by: self, explaining: false)
        // Mapped, so the array is made at its full size at once rather than grown from an empty one.
        return group.resolved.map { evaluation.verdict($0) }
    }

    /// The questions about one actor and one case being decided: what each rule's condition gave, kept as it is
    /// worked out, so a rule that several questions consider is evaluated once.
    private struct Evaluation {
        let policy: CompiledPolicy
        /// Whether the actor holds a grant on the case that holds today.
        let hasGrant: Bool
        /// The sections that grant is limited to; nil when it is not limited (or there is no grant).
        let heldSections: [String]?
        let context: EvaluationContext
        /// Whether its decisions are explained: only then is ``undecided`` kept.
        let explaining: Bool
        /// The rules whose conditions have been evaluated.
        var evaluated = RuleMask()
        /// Of those, the rules that hold (an undecided deny holds, to be safe).
        var holding = RuleMask()
        /// Of those, the rules about grants that do not apply because the actor has no grant.
        var withoutGrant = RuleMask()
        /// Of those, the rules that could not be decided, with why, in the order they were evaluated: the whole pass's,
        /// which every decision's explanation keeps as it is (it reads only the rules its question considered). Kept
        /// only when ``explaining``: a verdict reads only ``undecidedRules``.
        var undecided: [DecisionExplanation.UndecidedRule] = []
        /// The rules in ``undecided``, as a set.
        var undecidedRules = RuleMask()

        /// The start of deciding questions about `request`'s actor and case by `policy`: the day, the grant that holds,
        /// the context. An evaluation keeps only what a decision reads of the request, the held grant's sections; only one
        /// that is `explaining` keeps why each undecided condition could not be decided, which only an explanation reads.
        ///
        /// The context is stored where it is made: made before the evaluation that keeps it, it was copied into it and
        /// the original destroyed. The request is consumed: it moves into the slot reader's input, which the reader
        /// consumes in turn, so neither is copied.
        init(of request: consuming AccessRequest, by policy: CompiledPolicy, explaining: Bool) {
            let today = CalendarDate(request.at)
            let principal = request.principal
            let grants = request.grants
            // The grant is found by place, each compared where it lies, and copied once: taking each out of the array to
            // test it, or testing a copy, copied all its parts.
            let place = grants.indices.first { grants[$0].to == principal && grants[$0].holds(on: today) }
            self.policy = policy
            hasGrant = place != nil
            heldSections = place.flatMap { grants[$0].sections }
            context = policy.reader.context(for: PolicyExpressionInput(request: request, grant: place.map { grants[$0] }, today: today))
            self.explaining = explaining
        }

        /// Evaluates the conditions of the rules in `rules` not yet evaluated, in rule order; when `untilOneHolds`, only
        /// until one of `rules` holds (none, if one already does), for a verdict that reads only whether one does.
        mutating func evaluate(_ rules: RuleMask, untilOneHolds: Bool = false) {
            let pending = rules.subtracting(evaluated)
            guard !pending.isEmpty, !untilOneHolds || (holding & rules).isEmpty else { return }
            if !untilOneHolds { evaluated = evaluated | pending }
            let index = policy.index
            for position in pending {
                if untilOneHolds {
                    if !(holding & rules).isEmpty { return }
                    evaluated.insert(position)
                }
                guard let condition = index.conditions[position] else {
                    holding.insert(position)
                    continue
                }
                do throws(EvaluationError) {
                    if try condition.holds(in: context) { holding.insert(position) }
                } catch .unset where !hasGrant && index.aboutGrants.contains(position) {
                    // Having no grant is a known fact, not an unknown: a rule about grants that cannot be decided does
                    // not apply, whichever unset name the evaluation met first (a case field the rule also reads, say),
                    // so the outcome for someone without a grant never depends on what the case holds.
                    withoutGrant.insert(position)
                } catch {
                    // Other undecided conditions fail safe: a deny still counts, an allow does not.
                    if explaining { undecided.append(DecisionExplanation.UndecidedRule(rule: position, error: error)) }
                    undecidedRules.insert(position)
                    if !index.allows.contains(position) { holding.insert(position) }
                }
            }
        }

        /// What deciding `question` finds: the verdict, the rules that decided it and which reasons it gives, with
        /// nothing put into words. The one place a question is decided: ``decide(_:)`` explains what it finds and
        /// ``verdict(_:)`` keeps only the verdict, so a decision and a verdict on the same question always agree.
        ///
        /// The deny rules it considers are evaluated first, and its allow rules only when no deny holds: a deny that
        /// holds decides, whatever the allows give, and the outcome reads nothing else of them. Each condition's value
        /// depends on the context alone, never on which others were evaluated or in what order, so the outcome is the
        /// one evaluating them all gives.
        mutating func outcome(_ question: PolicyIndex.Question) -> Outcome {
            let index = policy.index
            let resource = question.asked.resource
            guard let coverage = question.coverage else { return Outcome(allowed: false, matched: RuleMask(), reasons: nil) }
            let considered = question.considered
            let consideredDenies = considered.subtracting(index.allows)
            // A verdict reads only whether a deny holds, so the denies are evaluated until one does; and, when no allow it
            // considers hides or withholds any of the resource, only whether an allow holds. A decision evaluated every
            // rule it considers before (``decide(_:)``), so nothing is left for it to stop early on.
            evaluate(consideredDenies, untilOneHolds: !explaining)
            let denies = holding & consideredDenies
            if !denies.isEmpty { return Outcome(allowed: false, matched: denies, reasons: .denied) }
            let consideredAllows = considered & index.allows
            evaluate(consideredAllows, untilOneHolds: !explaining && (consideredAllows & (coverage.hiding | coverage.partialRules)).isEmpty)
            let allows = holding & consideredAllows
            guard !allows.isEmpty else {
                let undecidedAllow = !(undecidedRules & considered & index.allows).isEmpty
                return Outcome(allowed: false, matched: RuleMask(),
                               reasons: .fixed(undecidedAllow ? CompiledPolicy.couldNotCheck : hasGrant ? CompiledPolicy.notIncluded : CompiledPolicy.noAccess))
            }
            let hiding = allows & coverage.hiding
            if !hiding.isEmpty { return Outcome(allowed: false, matched: hiding, reasons: .fixed(CompiledPolicy.notIncluded)) }
            var withheld = RedactionSet()
            if !(allows & coverage.partialRules).isEmpty {
                for (rule, redaction) in coverage.partial where allows.contains(rule) { withheld.insert(redaction) }
            }
            if let sections = heldSections {
                guard sections.contains(where: { ResourcePaths.covers($0, resource) || ResourcePaths.covers(resource, $0) }) else {
                    return Outcome(allowed: false, matched: RuleMask(), reasons: .fixed(CompiledPolicy.notIncluded))
                }
                for part in policy.paths.parts(of: resource) where !sections.contains(where: { ResourcePaths.covers($0, part) }) {
                    let redaction = policy.paths.redaction(of: part)
                    if redaction.hides(resource: resource) { return Outcome(allowed: false, matched: RuleMask(), reasons: .fixed(CompiledPolicy.notIncluded)) }
                    withheld.insert(redaction)
                }
            }
            return Outcome(allowed: true, matched: allows, reasons: .allowed(withheld: !withheld.isEmpty), withheld: withheld)
        }

        /// Decides `question`, explained.
        ///
        /// Nothing is put into words here: the decision's explanation keeps the rule sets and renders them when read
        /// (``DecisionExplanation``), and keeps the context only when a deny's reason reads values from it.
        mutating func decide(_ question: PolicyIndex.Question) -> AccessDecision {
            // The explanation reads every considered rule (those that held, those about grants that did not apply, the
            // undecided ones in the order they were evaluated), so all of them are evaluated, in rule order, before the
            // outcome, which then evaluates nothing more.
            evaluate(question.considered)
            let outcome = outcome(question)
            let index = policy.index
            let action = question.asked.action
            let resource = question.asked.resource
            guard let reasons = outcome.reasons else {
                let problem = policy.actionProblem(action) ?? policy.resourceProblem(resource) ?? ""
                return AccessDecision(allowed: false, redactions: RedactionSet(),
                                      explanation: DecisionExplanation(index: index, action: action, resource: resource, problem: problem))
            }
            // Only a deny's own reasons read the context (their placeholders), so only a deny whose reasons have
            // placeholders keeps it.
            let readsContext: Bool
            if case .denied = reasons { readsContext = !(outcome.matched & index.valuedReasons).isEmpty } else { readsContext = false }
            let considered = question.considered
            return AccessDecision(allowed: outcome.allowed, redactions: outcome.withheld, explanation: DecisionExplanation(
                index: index, action: action, resource: resource, holds: holding & considered, withoutGrant: withoutGrant & considered,
                undecided: undecided, matched: outcome.matched, reasons: reasons, context: readsContext ? context : nil
            ))
        }

        /// Whether `question` is allowed and what is withheld, with nothing kept to explain it.
        mutating func verdict(_ question: PolicyIndex.Question) -> AccessVerdict {
            let outcome = outcome(question)
            return AccessVerdict(allowed: outcome.allowed, redactions: outcome.withheld)
        }
    }

    /// What deciding one question found, before anything is kept to explain it.
    private struct Outcome {
        /// Whether the request is allowed.
        let allowed: Bool
        /// The rules that decided it (``AccessDecision/matched``).
        let matched: RuleMask
        /// Which reasons it gives; nil when no rule covers the question (an action or a path the policy does not know),
        /// whose reason an explanation works out from the question.
        let reasons: DecisionExplanation.Reasons?
        /// What is withheld from what is allowed.
        var withheld = RedactionSet()
    }

    /// The reason when nothing allows the request and the actor has no grant on the case.
    public static let noAccess = "you have not been given access to this case"
    /// The reason when the actor's access does not reach what they asked for.
    public static let notIncluded = "your access to this case does not include this"
    /// The reason of a deny rule that gives none.
    public static let notAllowed = "the access rules for this case do not allow this"
    /// The reason when an allow could not be checked (something it reads was not given); the trace says what.
    public static let couldNotCheck = "it could not be checked that you may do this, so it is refused"
}

/// One question put to a policy about a case: may the actor do `action` to `resource`? A struct rather than a tuple, so
/// the lists of them a case access keeps are copied and destroyed by the compiler's own code instead of the runtime's
/// generic tuple walk.
package struct AccessQuestion: Sendable, Hashable {
    /// The action (`view`, `edit`).
    package let action: String
    /// The resource, section or field (`case`, `case.fields`, `ehcp.K`).
    package let resource: String

    /// The question whether the actor may do `action` to `resource`.
    package init(_ action: String, on resource: String) {
        self.action = action
        self.resource = resource
    }
}
