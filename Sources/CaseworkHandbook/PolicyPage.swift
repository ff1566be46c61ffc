import CaseworkDefinitions
import CaseworkEngine

/// `policy.html`: each access policy: who is who, what it protects, and for each resource and action the rules that
/// allow and deny it, with their conditions.
///
/// Whether a person may do something turns on the case (its stage, the child's age) and on the grant the SEND
/// service records for them, so the answers per person (``PersonaGrid``) are for the people the policy names under
/// `personas:`, on a representative case the page describes; below them it lists, per resource and action, the rules
/// that decide it; `casework decide` answers one request.
enum PolicyPage {
    static let file = "policy.html"

    static func render(_ handbook: Handbook) -> String {
        var content: [Markup] = [
            .paragraph("Access is refused unless a rule allows it, and a rule that denies beats any that allows. What a person "
                       + "may do turns on the case and on the grant the SEND service records for them. Where a policy names the "
                       + "people it is written for, a table per resource shows what each of them may do on a representative case, "
                       + "described above the tables; then a table lists the rules that decide each action, with their conditions; "
                       + "casework decide answers one request and explains it."),
        ]
        for policy in handbook.definitions.policies {
            content.append(.heading(2, policy.title ?? policy.id.value, id: policy.id.value))
            content.append(.paragraph("Id \(policy.id.value), version \(policy.version), from \(policy.file). Grant levels: "
                                      + policy.levels.map(\.value).joined(separator: ", ") + "."))
            if !policy.recipients.isEmpty {
                content.append(.heading(3, "Who is who"))
                content.append(.table(["Role", "Seen by the rules as"], policy.recipients.map { profile in
                    [.code(profile.role.value),
                     .codes(profile.attributes.sorted { $0.key < $1.key }.map { "actor.\($0.key) = \($0.value)" })]
                }))
            }
            content.append(.heading(3, "Resources"))
            content.append(.table(["Resource", "Sections"], policy.resources.map { [.code($0.name.value), .codes($0.sections.map(\.value))] }))
            if !policy.personas.isEmpty, let compiled = handbook.policies[policy.id.value] {
                content += personas(policy, grid: PersonaGrid(policy: compiled, workflows: handbook.definitions.workflows,
                                                              year: handbook.years.first ?? 2026))
            }
            content.append(.heading(3, "Resources × actions"))
            var rows: [[Markup]] = []
            for resource in policy.resources {
                for action in policy.knownActions {
                    let rules = policy.rules.filter { covers($0, action: action, resource: resource.name.value) }
                    guard !rules.isEmpty else { continue }
                    rows.append([.code(resource.name.value), .code(action),
                                 ruleList(rules.filter { $0.effect == .allow }), ruleList(rules.filter { $0.effect == .deny })])
                }
            }
            content.append(.table(["Resource", "Action", "Allowed by", "Denied by"], rows))
            content.append(.heading(3, "Rules, in order"))
            content.append(.table(["Rule", "Effect", "Actions", "On", "Only when", "Withholds", "Reason given"], policy.rules.map { rule in
                [.code(rule.id.value), .text(rule.effect.rawValue), .codes(rule.actions.map(\.value)),
                 rule.on.isEmpty ? .text("everything") : .codes(rule.on.map(\.value)),
                 rule.when.map { .code($0.text) } ?? .text("always"),
                 .codes(rule.redact.map(\.value)), .text(rule.reason?.text ?? "—")]
            }))
        }
        return handbook.document("Access policy", content)
    }

    /// The personas, what each is, and a table per resource of what each may do.
    private static func personas(_ policy: PolicyDefinition, grid: PersonaGrid) -> [Markup] {
        var content: [Markup] = [
            .heading(3, "Who may do what"),
            .table(["Person", "Role", "Acts for", "Attributes", "Grant"], policy.personas.map { persona in
                [.text(persona.title.value), .code(persona.role.value), persona.organisation.map { .code($0.value) } ?? .text("themselves"),
                 .codes(persona.attributes.sorted { $0.key < $1.key }.map { "actor.\($0.key) = \($0.value)" }),
                 persona.grant.map { grant in
                     .joined([.code(grant.level.value)] + (grant.sections.map { [.text(" on "), .codes($0.map(\.value))] } ?? []))
                 } ?? .text("no grant")]
            }),
            .paragraph(grid.assumptions),
        ]
        let actions = policy.knownActions
        for resource in policy.resources.map(\.name.value) {
            content.append(.heading(3, "Who may do what: \(resource)", id: "\(policy.id.value)-\(resource)"))
            var rows: [[Markup]] = []
            for (index, persona) in policy.personas.enumerated() {
                var row: [Markup] = [.text(persona.title.value)]
                for action in actions {
                    let decision = grid.decide(persona, index: index, action: action, resource: resource)
                    row.append(decision.map(cell) ?? .text("—"))
                }
                rows.append(row)
            }
            content.append(.table(["Person"] + actions, rows))
        }
        return content
    }

    /// One decision: allow or deny, and in small print the rules that decided it and what it withholds.
    private static func cell(_ decision: AccessDecision) -> Markup {
        var note = decision.matched.isEmpty ? (decision.allowed ? "" : "no rule allows it") : decision.matched.joined(separator: ", ")
        if !decision.redact.isEmpty { note += "; withholds " + decision.redact.joined(separator: ", ") }
        return .joined([.element("strong", text: decision.allowed ? "allow" : "deny"), .text(" "), .element("small", text: note)])
    }

    /// Whether `rule` speaks of `action` on `resource` or one of its sections.
    private static func covers(_ rule: PolicyRule, action: String, resource: String) -> Bool {
        let actions = rule.actions.map(\.value)
        guard actions.contains(action) || actions.contains(PolicyDefinition.everyAction) else { return false }
        return rule.on.isEmpty || rule.on.contains { $0.value == resource || $0.value.hasPrefix(resource + ".") }
    }

    private static func ruleList(_ rules: [PolicyRule]) -> Markup {
        guard !rules.isEmpty else { return .text("—") }
        return .list(rules.map { rule in
            var pieces: [Markup] = [.code(rule.id.value)]
            let sections = rule.on.map(\.value).filter { $0.contains(".") }
            if !sections.isEmpty { pieces += [.text(" on "), .codes(sections)] }
            if let when = rule.when { pieces += [.text(" when "), .code(when.text)] }
            return .joined(pieces)
        })
    }
}
