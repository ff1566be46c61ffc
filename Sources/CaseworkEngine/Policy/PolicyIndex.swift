import CaseworkDefinitions
import CaseworkExpressions

/// A policy's rules compiled into the indexed form ``CompiledPolicy/decide(_:)`` runs on: for each known action the
/// rules about it, for each resource the rules that cover it and what their redactions do to it, each as a
/// ``RuleMask``, and each rule's condition planned to read its names from fixed slots.
///
/// Built once when the policy is compiled and never changed, so decisions share it (a decision's explanation keeps a
/// reference to render its trace from when read).
final class PolicyIndex: Sendable {
    /// One rule, with everything deciding and explaining it needs worked out once; a class, so that reading a rule
    /// while deciding shares it rather than copying each of its parts.
    final class Rule: Sendable {
        /// The rule's id.
        let id: String
        /// Allow or deny.
        let effect: PolicyRule.Effect
        /// Its condition as the policy wrote it, for the trace; empty when it has none.
        let conditionText: String
        /// Whether the condition reads the actor's grant (`grant.*`): for someone with no grant, such a rule applies only
        /// when its condition holds without the grant.
        let aboutGrants: Bool
        /// Its reason, placeholders planned into the policy's slots; nil when it gives none.
        let reason: [ReasonPart]?
        /// Its redactions, resolved.
        let redactions: [Redaction]
        /// Its actions as the trace lists them (`view, comment`).
        let actionsText: String
        /// Its resources as the trace lists them (`case, ehcp`).
        let onText: String

        /// A rule with every part given.
        init(
            id: String, effect: PolicyRule.Effect, conditionText: String, aboutGrants: Bool, reason: [ReasonPart]?,
            redactions: [Redaction], actionsText: String, onText: String
        ) {
            self.id = id
            self.effect = effect
            self.conditionText = conditionText
            self.aboutGrants = aboutGrants
            self.reason = reason
            self.redactions = redactions
            self.actionsText = actionsText
            self.onText = onText
        }
    }

    /// A piece of a reason as the policy renders it.
    enum ReasonPart: Sendable {
        case literal(String)
        case value(CompiledExpression)
    }

    /// What one resource path means to the rules: which cover it, which redactions hide all or part of it. A class, so
    /// a question resolved to it carries one reference rather than each of its parts.
    final class Coverage: Sendable {
        /// The rules whose `on` covers the path (a rule with no `on` covers every path).
        let covered: RuleMask
        /// The rules with a redaction that hides the whole of the path: a decision they allow is a deny.
        let hiding: RuleMask
        /// The redactions that hide part of the path, each with its rule, in rule order then the rule's own order.
        let partial: [(rule: Int, redaction: Redaction)]
        /// The rules of ``partial``, as a set: a decision none of whose allows is among them withholds nothing of the path
        /// by their redactions, so the list need not be walked.
        let partialRules: RuleMask

        /// Works out what `resource` means to `rules`.
        init(of resource: String, rules: [Rule], on: [[String]]) {
            var covered = RuleMask()
            var hiding = RuleMask()
            var partial: [(rule: Int, redaction: Redaction)] = []
            var partialRules = RuleMask()
            for (position, rule) in rules.enumerated() {
                if on[position].isEmpty || on[position].contains(where: { ResourcePaths.covers($0, resource) }) { covered.insert(position) }
                for redaction in rule.redactions {
                    if redaction.hides(resource: resource) {
                        hiding.insert(position)
                    } else if redaction.hidesPart(of: resource) {
                        partial.append((position, redaction))
                        partialRules.insert(position)
                    }
                }
            }
            self.covered = covered
            self.hiding = hiding
            self.partial = partial
            self.partialRules = partialRules
        }
    }

    /// The rules, in the policy's order.
    let rules: [Rule]
    /// Each rule's condition, planned into the policy's slots (nil when it has none), in the same order: apart from the
    /// rules, so evaluating one reads the condition alone.
    let conditions: [CompiledExpression?]
    /// The allow rules.
    let allows: RuleMask
    /// The rules about grants.
    let aboutGrants: RuleMask
    /// The rules whose reason has placeholders, which read the context a decision was made in.
    let valuedReasons: RuleMask
    /// For each action the policy knows, the rules about it (naming it, or `all`).
    let actions: SortedNames<RuleMask>
    /// The coverage of each resource, section and `case.fields` the policy declares; paths under `case.fields` are
    /// worked out when asked (``coverage(of:)``), as there may be thousands.
    private let coverages: SortedNames<Coverage>
    /// Each rule's `on` entries, for working out a coverage when asked.
    private let on: [[String]]
    /// The paths the policy can name.
    private let paths: ResourcePaths
    /// Every question about an action the policy knows on a resource, section or `case.fields` it declares, resolved
    /// once here, by action then resource: ``question(_:)`` finds one by comparing a few short names, and hands it out
    /// as one reference, with nothing resolved or allocated for it.
    private let resolved: SortedNames<SortedNames<Question>>
    /// The groups of questions asked together most often, resolved once here (``questions(_:)`` finds them first).
    private let frequent: [Questions]
    /// The questions of ``frequent``, each once, in the order first asked (a fire's door, `submit` on `case`, first):
    /// ``question(_:)`` compares a question with these before searching ``resolved``. Comparing two short names for
    /// equality costs a few instructions where the search compared them by order, five or six times, about 700 in all.
    private let frequentQuestions: [Question]

    /// Indexes `rules` (already resolved), whose conditions are `conditions`, of `definition` over `paths`, and resolves
    /// every question about a known action on a declared path, and the `frequent` groups of questions
    /// (``Engine/frequentQuestionGroups``), once: ``question(_:)`` and ``questions(_:)`` then find them by comparing a
    /// few short names instead of resolving them again.
    init(_ rules: [Rule], conditions: [CompiledExpression?], of definition: PolicyDefinition, paths: ResourcePaths, frequent: [[AccessQuestion]]) {
        self.rules = rules
        self.conditions = conditions
        self.paths = paths
        allows = RuleMask(rules.indices.filter { rules[$0].effect == .allow })
        aboutGrants = RuleMask(rules.indices.filter { rules[$0].aboutGrants })
        valuedReasons = RuleMask(rules.indices.filter { position in
            rules[position].reason?.contains { part in
                if case .value = part { return true }
                return false
            } ?? false
        })
        let about = SortedNames(sorting: definition.knownActions) { action in
            RuleMask(definition.rules.indices.filter { position in
                definition.rules[position].actions.contains { $0.value == PolicyDefinition.everyAction || $0.value == action }
            })
        }
        self.actions = about
        let on = definition.rules.map { $0.on.map(\.value) }
        self.on = on
        // Every name `resourceNames` gives is one the policy can name (ResourcePathsCoverageTests holds it to that).
        let covering = SortedNames(sorting: paths.resourceNames) { Coverage(of: $0, rules: rules, on: on) }
        self.coverages = covering
        // The table is built in the order its names are kept (actions, then resources, each already sorted), so
        // nothing is hashed or sorted again for it.
        let table = SortedNames(sortedKeys: about.keys, values: about.keys.map { action in
            SortedNames(sortedKeys: covering.keys, values: covering.keys.map { resource in
                Self.resolve(AccessQuestion(action, on: resource), actions: about) {
                    Self.coverage(of: $0, coverages: covering, paths: paths, rules: rules, on: on)
                }
            })
        })
        self.resolved = table
        let frequentGroups = frequent.map { group in
            Questions(group, resolved: group.map { asked in
                Self.question(asked, in: table) {
                    Self.resolve(asked, actions: about) { Self.coverage(of: $0, coverages: covering, paths: paths, rules: rules, on: on) }
                }
            })
        }
        self.frequent = frequentGroups
        var frequentQuestions: [Question] = []
        for question in frequentGroups.flatMap(\.resolved) where !frequentQuestions.contains(where: { $0.asked == question.asked }) {
            frequentQuestions.append(question)
        }
        self.frequentQuestions = frequentQuestions
    }

    /// One question (an action on a resource) resolved against the rules once, before any rule is evaluated: which
    /// rules it considers, so the questions of one pass can have their rules evaluated together. A class, so handing a
    /// question resolved ahead to a pass costs one reference count, not one for each of its names and sets.
    final class Question: Sendable {
        /// What is asked.
        let asked: AccessQuestion
        /// What the resource means to the rules; nil when the policy cannot name it or knows no such action.
        let coverage: Coverage?
        /// The rules about the action that cover the resource: those whose conditions decide it.
        let considered: RuleMask

        /// `asked`, resolved to `coverage` and the rules it `considered`.
        init(asked: AccessQuestion, coverage: Coverage?, considered: RuleMask) {
            self.asked = asked
            self.coverage = coverage
            self.considered = considered
        }
    }

    /// Questions asked together in one pass (``CompiledPolicy/verdicts(_:asking:)``), each resolved, in the order asked.
    /// A class, so a group resolved when the policy is compiled is handed to each pass that asks it as one reference,
    /// with no array of resolved questions built, copied and destroyed by every pass.
    final class Questions: Sendable {
        /// What is asked, in order.
        let asked: [AccessQuestion]
        /// Each of ``asked``, resolved, at the same place.
        let resolved: [Question]

        /// The group `asked`, whose questions resolve to `resolved`.
        init(_ asked: [AccessQuestion], resolved: [Question]) {
            self.asked = asked
            self.resolved = resolved
        }
    }

    /// `asked`, resolved: as it was resolved when the policy was compiled, when its action is one the policy knows and
    /// its resource one it declares; any other (a field under `case.fields`, a path or action the policy does not know)
    /// now. Resolving is worked out from the rules alone, so both give the same. A question of the frequent groups is
    /// found among them first (``frequentQuestions``), resolved as the table resolved it (the same object, when the
    /// table holds it).
    func question(_ asked: AccessQuestion) -> Question {
        var place = 0
        while place < frequentQuestions.count {
            if frequentQuestions[place].asked == asked { return frequentQuestions[place] }
            place += 1
        }
        return Self.question(asked, in: resolved) { resolve(asked) }
    }

    /// `asked` as `table` holds it, or else as `otherwise` resolves it.
    private static func question(_ asked: AccessQuestion, in table: SortedNames<SortedNames<Question>>, otherwise: () -> Question) -> Question {
        table[asked.action]?[asked.resource] ?? otherwise()
    }

    /// The questions `asked` together, resolved: one of the frequent groups as it was resolved when the policy was
    /// compiled (the same questions in the same order; an engine's own group is the very array it was resolved from,
    /// which compares by identity), any other now, each question as ``question(_:)`` resolves it.
    func questions(_ asked: [AccessQuestion]) -> Questions {
        for group in frequent where group.asked == asked { return group }
        return Questions(asked, resolved: asked.map(question))
    }

    /// `asked`, resolved from the rules.
    func resolve(_ asked: AccessQuestion) -> Question {
        Self.resolve(asked, actions: actions, coverage: coverage(of:))
    }

    /// What `resource` means to the rules, or nil when the policy cannot name it.
    func coverage(of resource: String) -> Coverage? {
        Self.coverage(of: resource, coverages: coverages, paths: paths, rules: rules, on: on)
    }

    /// `asked` resolved with the rules about each action (`actions`) and what each resource means to them (`coverage`):
    /// the one way a question is resolved, whether when the policy is compiled or when it is asked.
    private static func resolve(_ asked: AccessQuestion, actions: SortedNames<RuleMask>, coverage: (String) -> Coverage?) -> Question {
        let aboutAction = actions[asked.action]
        let coverage = aboutAction == nil ? nil : coverage(asked.resource)
        let considered = aboutAction.flatMap { about in coverage.map { about & $0.covered } } ?? RuleMask()
        return Question(asked: asked, coverage: coverage, considered: considered)
    }

    /// What `resource` means to `rules` (whose `on` entries are `on`), from the coverages worked out ahead, or worked out
    /// now for a path under `case.fields`; nil when `paths` cannot name it.
    private static func coverage(
        of resource: String, coverages: SortedNames<Coverage>, paths: ResourcePaths, rules: [Rule], on: [[String]]
    ) -> Coverage? {
        if let coverage = coverages[resource] { return coverage }
        guard paths.isKnown(resource) else { return nil }
        return Coverage(of: resource, rules: rules, on: on)
    }
}

/// Values by name, kept sorted by name and found by binary search: a policy's actions and resources are a few short
/// names, and comparing a few of them costs less than hashing the one asked for, as a dictionary must.
struct SortedNames<Value: Sendable>: Sendable {
    /// The names, sorted.
    let keys: [String]
    /// The value of each name, in the same order.
    private let values: [Value]

    /// `names`, sorted and each kept once, each with the value `value` gives it: made without a dictionary, whose
    /// hashing and sorting again was a third of indexing a policy (docs/performance.md, "Session 29").
    init(sorting names: [String], value: (String) -> Value) {
        var sorted = names.sorted()
        var kept = 0
        for position in sorted.indices where kept == 0 || sorted[kept - 1] != sorted[position] {
            sorted[kept] = sorted[position]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        keys = sorted
        values = sorted.map(value)
    }

    /// `keys`, already sorted and each once, with `values` at the same places.
    init(sortedKeys: [String], values: [Value]) {
        keys = sortedKeys
        self.values = values
    }

    /// The value of `name`, or nil when it has none.
    subscript(name: String) -> Value? {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < name { low = middle + 1 } else { high = middle }
        }
        return low < keys.count && keys[low] == name ? values[low] : nil
    }
}
