import CaseworkYAML

/// A stable diagnostic code such as `CW0204`. Codes are never reused or renumbered.
public struct DiagnosticCode: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The code's text, such as `CW0204`.
    public var rawValue: String

    /// Wraps a code's text.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Orders codes by their text.
    public static func < (lhs: DiagnosticCode, rhs: DiagnosticCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The code's text.
    public var description: String { rawValue }
}

/// Every kind of finding Casework reports, with what each needs to word itself.
///
/// This file is the one place where codes, severities, messages and help are
/// written. Messages are lower-case, one line, no final period, and quote names
/// in single quotes. The explanation of each code lives in `DiagnosticExplanations.swift`.
public enum DiagnosticKind: Sendable, Hashable {
    // MARK: YAML layer (CW00xx)

    /// The file could not be read.
    case unreadableFile(reason: String)
    /// The file is over the size limit.
    case fileTooLarge(bytes: Int, limit: Int)
    /// The file contains a NUL byte.
    case nulByte
    /// The file is not valid UTF-8.
    case invalidUTF8
    /// libyaml could not parse the text; `help` says how to fix the common slips (see `YAMLSyntaxHelp`).
    case yamlSyntax(problem: String, context: String?, help: String?)
    /// The file holds no document.
    case emptyDocument
    /// The file holds more than one YAML document.
    case multipleDocuments
    /// The root is not a mapping.
    case rootNotMapping(found: String)
    /// A key repeats within one mapping.
    case duplicateKey(key: String)
    /// A mapping key is a list or mapping.
    case complexKey
    /// A non-standard tag such as `!include`.
    case unsupportedTag(tag: String)
    /// An alias names no earlier anchor.
    case undefinedAlias(name: String)
    /// Nesting is over the depth limit.
    case nestingTooDeep(limit: Int)
    /// A scalar is over the size limit.
    case scalarTooLarge(bytes: Int, limit: Int)
    /// The document, aliases expanded, has too many nodes.
    case tooManyNodes(limit: Int)
    /// The document uses too many aliases.
    case tooManyAliases(limit: Int)
    /// The document, aliases expanded, holds too many bytes of text.
    case tooMuchExpandedText(limit: Int)

    // MARK: Structure (CW01xx)

    /// The root mapping says neither `workflow:` nor `form:`.
    case unknownDocumentKind(suggestion: String?)
    /// A key that this place does not take.
    case unknownKey(key: String, place: String, suggestion: String?, allowed: [String])
    /// A required key is missing.
    case missingKey(key: String, place: String)
    /// A transition says neither where it moves the case (`to:`) nor that it leaves the case where it is (`stays: true`);
    /// the same code as ``missingKey(key:place:)``, with help that names both.
    case missingTransitionTarget(place: String)
    /// A value of the wrong YAML shape or type.
    case wrongType(place: String, expected: String, found: String)
    /// A name that breaks the naming rule for its kind.
    case invalidName(name: String, kind: String, rule: String)
    /// A `version:` that is not a whole number of 1 or more; `found` describes what was written, as in ``wrongType(place:expected:found:)``.
    case invalidVersion(found: String)
    /// A duration that does not parse.
    case invalidDuration(text: String, reason: String)
    /// A field type that does not exist.
    case unknownFieldType(name: String, suggestion: String?)
    /// A list that must not be empty is empty.
    case emptyList(place: String)
    /// A list repeats an entry.
    case duplicateEntry(entry: String, place: String)
    /// A calendar rule that cannot be used.
    case invalidCalendarRule(reason: String)
    /// A document kind allows a media type that is not `type/subtype` in lower case.
    case invalidMediaType(text: String)
    /// A document kind's `max_bytes` is not a size, or not between 1 byte and 100 MB.
    case invalidByteSize(text: String, reason: String)

    // MARK: Meaning (CW02xx)

    /// Two definitions in the set share an id.
    case duplicateDefinition(id: String)
    /// Two transitions share a name.
    case duplicateTransition(name: String)
    /// No state is marked `initial: true`.
    case noInitialState(workflow: String)
    /// More than one state is marked `initial: true`.
    case multipleInitialStates(state: String)
    /// A reference to a state that is not declared.
    case unknownState(name: String, referrer: String, suggestion: String?)
    /// A reference to a role that is not declared.
    case unknownRole(name: String, referrer: String, suggestion: String?)
    /// A reference to a template that is not declared.
    case unknownTemplate(name: String, referrer: String, suggestion: String?)
    /// A reference to a form that is not in the definition set.
    case unknownForm(name: String, referrer: String, suggestion: String?)
    /// A template placeholder that names no field.
    case unknownPlaceholder(path: String, template: String, suggestion: String?)
    /// A state no path from the initial state reaches.
    case unreachableState(name: String)
    /// A non-final state from which no final state can be reached.
    case trapState(name: String)
    /// A transition leaves a final state.
    case transitionFromFinalState(transition: String, state: String)
    /// A form is started for a role it is not shared with.
    case formNotSharedWith(form: String, role: String)
    /// A template nothing uses.
    case unusedTemplate(name: String)
    /// The workflow has no final state.
    case noFinalState(workflow: String)
    /// A template placeholder that is not closed or is empty.
    case malformedPlaceholder(template: String, reason: String)
    /// A form names a role the starting workflow does not declare; `suggestion` is the nearest of the workflow's roles.
    case formRoleNotInWorkflow(form: String, role: String, workflow: String, suggestion: String?)
    /// A state is marked both initial and final.
    case initialStateIsFinal(state: String)
    /// A reference to a calendar that is not in the definition set.
    case unknownCalendar(name: String, referrer: String, suggestion: String?)
    /// Calendars that extend each other in a circle.
    case calendarCycle(calendar: String)
    /// A deadline starts from a field that is not a date.
    case notADateField(field: String, type: String)
    /// A reference to a field the workflow does not declare.
    case unknownField(name: String, referrer: String, suggestion: String?)
    /// A reminder that can never come while its deadline runs: after the due date, or before the start.
    case reminderAfterDue(reminder: String, deadline: String)
    /// A reference to a transition the workflow does not declare.
    case unknownTransition(name: String, referrer: String, suggestion: String?)
    /// Two deadlines share a name.
    case duplicateDeadline(name: String)
    /// A policy rule refers to a resource or section the policy does not declare.
    case unknownResource(name: String, referrer: String, suggestion: String?)
    /// A policy rule names an action the policy does not know.
    case unknownAction(name: String, referrer: String, suggestion: String?)
    /// A policy's persona holds a grant at a level the policy does not declare.
    case unknownLevel(name: String, referrer: String, suggestion: String?)
    /// Two policy rules share an id.
    case duplicateRule(id: String)
    /// A policy rule that can never decide anything.
    case ruleNeverMatches(id: String, reason: String)
    /// A reference to an access policy that is not in the definition set.
    case unknownPolicy(name: String, referrer: String, suggestion: String?)
    /// A notification subject that shows a case field: subjects travel in the clear, so they carry no personal details.
    case fieldInSubject(template: String, field: String)
    /// A workflow without `policy:` in a set that holds access policies: every workflow says which policy governs
    /// its cases, or `policy: none`, so no case escapes the policy by an omission.
    case missingPolicy(workflow: String, policies: [String])
    /// A workflow that says `policy: none` in a set that holds access policies: allowed, but nothing beyond `by:` checks its cases.
    case workflowWithoutPolicy(workflow: String, policies: [String])
    /// A field something reads (a guard, a `set:` value, a template, a deadline, a grant) that no input and no `set:` can ever give.
    case fieldNeverSet(field: String, reader: String)
    /// A policy declares an actor attribute or an action under a name the engine gives its own meaning
    /// (`actor: { organisation: … }`, `actions: [view]`, `actions: [all]`).
    case reservedPolicyName(name: String, kind: String)
    /// A redaction of a declared section of `case` (`case.address`) that hides no field of any workflow: nothing is withheld.
    case sectionHidesNoField(path: String, fields: [String])
    /// A policy redaction (or a field a `section_fields` entry maps a section to) that no workflow's fields reach;
    /// `section` is the mapped section, nil for a `redact:` entry.
    case redactionReachesNoField(path: String, section: String?, suggestion: String?)
    /// An allow rule names a path that another allow with an overlapping action redacts: when both match, the redaction refuses it.
    case redactionOverridesAllow(rule: String, path: String, redactingRule: String)
    /// A rule's `reason:` whose `{placeholders}` cannot be read.
    case malformedReason(rule: String, reason: String)
    /// A form started by a workflow under an access policy that does not say which of the policy's resources guards it (`resource:`).
    case formWithoutResource(form: String, policy: String)
    /// A document kind's resource (its `sections:`, or `document.KIND`) is not one the workflow's policy declares.
    case unknownDocumentResource(kind: String, resource: String, policy: String, suggestion: String?)
    /// A document kind's `sections:` names a resource of the policy that has no sections to address parts by.
    case documentResourceWithoutSections(kind: String, resource: String, policy: String)
    /// A form's `into_document:` names a document kind a workflow that starts the form does not declare.
    case formIntoUnknownDocument(form: String, kind: String, workflow: String, suggestion: String?)
    /// A form's `into_document:` cannot hold the form's answers as written: a section missing, not wanted or not one
    /// the kind's resource has, or a kind that does not take the type the answers are written as.
    case formIntoDocumentMismatch(form: String, kind: String, problem: FormDocumentProblem)
    /// A workflow sends some of the engine's own messages (form, reminder or breach messages) but names no template for them.
    case messageWithoutTemplate(messages: [String], workflow: String)
    /// A name of a deadline the workflow does not declare (an exception's `applies_to`).
    case unknownDeadline(name: String, referrer: String, suggestion: String?)
    /// A family's window (`kind: window`) with `on_breach:`: a window closes; it never escalates to staff.
    case windowEscalates(deadline: String)
    /// A deadline's `met_by` names a field that holds no date.
    case metByNotADate(field: String, deadline: String, type: String)
    /// A deadline with both `due` (a period) and `due_on` (a date expression).
    case dueTwice(deadline: String)
    /// A template a transition sends shows a field that can still be unset when that transition fires.
    case templateFieldMaybeUnset(template: String, field: String, transition: String)
    /// A link under `links:` names a workflow the set does not hold.
    case unknownLinkWorkflow(link: String, workflow: String, suggestion: String?)
    /// An `open:` effect or a `linked.` name refers to a link the workflow does not declare.
    case unknownLink(name: String, referrer: String, suggestion: String?)
    /// A `report:` fires a transition on the opener whose `by:` does not name `engine:link`.
    case reportNotByLinkEngine(transition: String, workflow: String)
    /// A workflow reports back with `report:`, but no workflow of the set links to it, so no case can have opened one of its cases.
    case reportWithoutOpener(workflow: String)
    /// A `report:` gives a field the reported transition does not take as `input:`.
    case reportInputNotTaken(field: String, transition: String, workflow: String)
    /// A transition says both `to:` and `stays: true`.
    case staysWithTarget(place: String)
    /// A transition's `stays:` is anything but `true`; `found` describes what was written.
    case staysNotTrue(place: String, found: String)
    /// A `report:` names transitions to choose between by the opening case's state, and two of them may be fired from
    /// one state, so the choice would depend on their order.
    case reportChoicesShareState(state: String, transitions: [String], workflow: String)
    /// A second child definition in one set: a set declares its child records' identity fields once.
    case secondChildDefinition(id: String, first: String)
    /// A workflow reads the child record (`child: from_record`), but the set has no child definition to type it.
    case childRecordWithoutDefinition(workflow: String)
    /// A workflow reads the child record (`child: from_record`) and declares a field `child` of its own, so `child.*`
    /// would name two things.
    case childRecordShadowsField(workflow: String)

    /// Every code ``code`` can produce, in order; the explanations and the golden corpus are checked against it.
    // MARK: Scenarios (CW05xx)

    /// A scenario step that expected no refusal was refused; `reason` is the engine's own words.
    case stepRefused(step: String, code: String, reason: String)
    /// The case is in another state than the step expected.
    case unexpectedState(expected: String, actual: String)
    /// A field holds another value than the step expected (nil: it is not set).
    case unexpectedField(field: String, expected: String, actual: String?)
    /// A deadline is in another status, or due on another day, than the step expected (nil: it has not started).
    case unexpectedDeadline(deadline: String, expected: String, actual: String?)
    /// No notice the step sent matches the one expected; `sent` says what was sent instead.
    case missingNotice(expected: String, sent: [String])
    /// The step was done, or refused for another reason, than the refusal expected.
    case unexpectedRefusal(expected: String, actual: String)
    /// An access decision came out otherwise than expected.
    case unexpectedDecision(expected: String, actual: String)
    /// A viewer's timeline shows what it should hide, or hides what it should show.
    case unexpectedTimeline(text: String, shouldShow: Bool)
    /// The scenario's `given:` could not be set up (the case could not be opened, or a grant recorded).
    case scenarioSetupFailed(reason: String)
    /// A document version, as the step's actor sees it, is not as the step expected: its number, who added it, a
    /// section shown or withheld, or its text; or a part withheld from the reader was given to them anyway.
    case unexpectedDocument(expected: String, actual: String)
    /// The step sent a notice that `no_notices:` rules out; `sent` lists those that match.
    case unwantedNotice(unwanted: String, sent: [String])
    /// A scenario names an actor its `actors:` does not declare.
    case unknownActor(name: String, referrer: String, suggestion: String?)
    /// A step does not do exactly one thing.
    case stepDoesNotDoOneThing(found: [String], allowed: [String])
    /// A scenario names a workflow the definitions do not hold.
    case unknownScenarioWorkflow(name: String, suggestion: String?)
    /// A step reads the scenario's child (`child_timeline`), but the scenario's `given:` names no child.
    case scenarioHasNoChild(referrer: String)
    /// A step names a document kind the workflow of the case it acts on does not declare.
    case unknownScenarioDocumentKind(name: String, referrer: String, suggestion: String?)
    /// A document check that cannot be made as written: on a step that reads no document, a section of a kind seen
    /// whole, a whole text of a sectioned kind, or a section the kind's resource does not have; `help` says how to write it.
    case malformedDocumentCheck(problem: String, help: String)

    public static let allCodes: [DiagnosticCode] = [
        "CW0001", "CW0002", "CW0003", "CW0004", "CW0005", "CW0006", "CW0007", "CW0008",
        "CW0009", "CW0010", "CW0011", "CW0012", "CW0013", "CW0014", "CW0015", "CW0016", "CW0017",
        "CW0100", "CW0101", "CW0102", "CW0103", "CW0104", "CW0105", "CW0106", "CW0107",
        "CW0108", "CW0109", "CW0110", "CW0111", "CW0112",
        "CW0200", "CW0201", "CW0202", "CW0203", "CW0204", "CW0205", "CW0206", "CW0207",
        "CW0208", "CW0209", "CW0210", "CW0211", "CW0212", "CW0213", "CW0214", "CW0215",
        "CW0216", "CW0217", "CW0218", "CW0219", "CW0220", "CW0221", "CW0222", "CW0223",
        "CW0224", "CW0225", "CW0226", "CW0227", "CW0228", "CW0229", "CW0230", "CW0231",
        "CW0232", "CW0233", "CW0234", "CW0235", "CW0236", "CW0237", "CW0238", "CW0239", "CW0240",
        "CW0241", "CW0242", "CW0243", "CW0244", "CW0245", "CW0246", "CW0247", "CW0248",
        "CW0249", "CW0250", "CW0251", "CW0252", "CW0253", "CW0254", "CW0255",
        "CW0256", "CW0257", "CW0258", "CW0259", "CW0260", "CW0261",
        "CW0300", "CW0301", "CW0302", "CW0303", "CW0304", "CW0305", "CW0306", "CW0307",
        "CW0308", "CW0309", "CW0310", "CW0311", "CW0312", "CW0313", "CW0314", "CW0315",
        "CW0500", "CW0501", "CW0502", "CW0503", "CW0504", "CW0505", "CW0506", "CW0507", "CW0508", "CW0509", "CW0510",
        "CW0520", "CW0521", "CW0522", "CW0523", "CW0524", "CW0525",
    ].map(DiagnosticCode.init(rawValue:))

    // MARK: Expressions (CW03xx)

    /// A token where the grammar expects something else.
    case unexpectedToken(found: String, expected: String)
    /// A character that starts no token, with a hint when it looks like another language's operator.
    case unexpectedCharacter(String, help: String?)
    /// Two values that cannot be compared.
    case cannotCompare(left: String, right: String)
    /// A name the environment does not declare.
    case unknownName(name: String, suggestion: String?)
    /// A function the language does not have.
    case unknownFunction(name: String, suggestion: String?)
    /// A call with the wrong number or types of arguments.
    case wrongArguments(function: String, signature: String, found: String)
    /// An expression whose type is not the one its place needs (a guard must be bool).
    case conditionType(role: String, expected: String, found: String)
    /// A word outside an enumeration's values.
    case unknownEnumValue(value: String, member: String, suggestion: String?)
    /// An operator applied to values of the wrong types.
    case operatorType(operator: String, operands: String, expected: String)
    /// An expression over a limit.
    case expressionTooComplex(reason: String)
    /// A literal that is not a valid value.
    case invalidLiteral(text: String, reason: String)
    /// `in` with something other than a list on its right.
    case membershipNeedsList(found: String)
    /// A list whose elements have different types.
    case mixedList(first: String, other: String)
    /// `age_on` in a workflow with no date-of-birth field.
    case noDateOfBirth
    /// A group of fields used as a value.
    case notAValue(name: String)
    /// A part asked of a value that has none.
    case noSuchPart(name: String, type: String, part: String)
    /// `null` (or `nil`, `none`) written as if it were a value.
    case noNull(name: String)

    /// Names in single quotes after a noun: `policy 'a'`, `policies 'a' and 'b'`.
    private static func quotedList(_ names: [String], noun: String, plural: String) -> String {
        let quoted = names.map { "'\($0)'" }
        guard let last = quoted.last else { return plural }
        if quoted.count == 1 { return "\(noun) \(last)" }
        return "\(plural) \(quoted.dropLast().joined(separator: ", ")) and \(last)"
    }

    /// The stable code.
    public var code: DiagnosticCode {
        DiagnosticCode(rawValue: codeText)
    }

    private var codeText: String {
        switch self {
        case .unreadableFile: "CW0001"
        case .fileTooLarge: "CW0002"
        case .nulByte: "CW0003"
        case .invalidUTF8: "CW0004"
        case .yamlSyntax: "CW0005"
        case .emptyDocument: "CW0006"
        case .multipleDocuments: "CW0007"
        case .rootNotMapping: "CW0008"
        case .duplicateKey: "CW0009"
        case .complexKey: "CW0010"
        case .unsupportedTag: "CW0011"
        case .undefinedAlias: "CW0012"
        case .nestingTooDeep: "CW0013"
        case .scalarTooLarge: "CW0014"
        case .tooManyNodes: "CW0015"
        case .tooManyAliases: "CW0016"
        case .tooMuchExpandedText: "CW0017"
        case .unknownDocumentKind: "CW0100"
        case .unknownKey: "CW0101"
        case .missingKey, .missingTransitionTarget: "CW0102"
        case .wrongType: "CW0103"
        case .invalidName: "CW0104"
        case .invalidVersion: "CW0105"
        case .invalidDuration: "CW0106"
        case .unknownFieldType: "CW0107"
        case .emptyList: "CW0108"
        case .duplicateEntry: "CW0109"
        case .invalidCalendarRule: "CW0110"
        case .invalidMediaType: "CW0111"
        case .invalidByteSize: "CW0112"
        case .duplicateDefinition: "CW0200"
        case .duplicateTransition: "CW0201"
        case .noInitialState: "CW0202"
        case .multipleInitialStates: "CW0203"
        case .unknownState: "CW0204"
        case .unknownRole: "CW0205"
        case .unknownTemplate: "CW0206"
        case .unknownForm: "CW0207"
        case .unknownPlaceholder: "CW0208"
        case .unreachableState: "CW0209"
        case .trapState: "CW0210"
        case .transitionFromFinalState: "CW0211"
        case .formNotSharedWith: "CW0212"
        case .unusedTemplate: "CW0213"
        case .noFinalState: "CW0214"
        case .malformedPlaceholder: "CW0215"
        case .formRoleNotInWorkflow: "CW0216"
        case .initialStateIsFinal: "CW0217"
        case .unknownCalendar: "CW0218"
        case .calendarCycle: "CW0219"
        case .notADateField: "CW0220"
        case .unknownField: "CW0221"
        case .reminderAfterDue: "CW0222"
        case .unknownTransition: "CW0223"
        case .duplicateDeadline: "CW0224"
        case .unknownResource: "CW0225"
        case .unknownAction: "CW0226"
        case .duplicateRule: "CW0227"
        case .ruleNeverMatches: "CW0228"
        case .fieldInSubject: "CW0229"
        case .unknownPolicy: "CW0230"
        case .missingPolicy: "CW0231"
        case .workflowWithoutPolicy: "CW0232"
        case .fieldNeverSet: "CW0233"
        case .templateFieldMaybeUnset: "CW0245"
        case .unknownLevel: "CW0246"
        case .reservedPolicyName: "CW0234"
        case .sectionHidesNoField: "CW0235"
        case .redactionReachesNoField: "CW0236"
        case .redactionOverridesAllow: "CW0237"
        case .malformedReason: "CW0238"
        case .formWithoutResource: "CW0239"
        case .unknownDocumentResource: "CW0247"
        case .documentResourceWithoutSections: "CW0248"
        case .formIntoUnknownDocument: "CW0249"
        case .formIntoDocumentMismatch: "CW0250"
        case .messageWithoutTemplate: "CW0240"
        case .unknownDeadline: "CW0241"
        case .windowEscalates: "CW0242"
        case .metByNotADate: "CW0243"
        case .dueTwice: "CW0244"
        case .unknownLinkWorkflow: "CW0251"
        case .unknownLink: "CW0252"
        case .reportNotByLinkEngine: "CW0253"
        case .reportWithoutOpener: "CW0254"
        case .reportInputNotTaken: "CW0255"
        case .staysWithTarget: "CW0256"
        case .staysNotTrue: "CW0257"
        case .reportChoicesShareState: "CW0258"
        case .secondChildDefinition: "CW0259"
        case .childRecordWithoutDefinition: "CW0260"
        case .childRecordShadowsField: "CW0261"
        case .unexpectedToken, .unexpectedCharacter: "CW0300"
        case .cannotCompare: "CW0301"
        case .unknownName: "CW0302"
        case .unknownFunction: "CW0303"
        case .wrongArguments: "CW0304"
        case .conditionType: "CW0305"
        case .unknownEnumValue: "CW0306"
        case .operatorType: "CW0307"
        case .expressionTooComplex: "CW0308"
        case .invalidLiteral: "CW0309"
        case .membershipNeedsList: "CW0310"
        case .mixedList: "CW0311"
        case .noDateOfBirth: "CW0312"
        case .notAValue: "CW0313"
        case .noSuchPart: "CW0314"
        case .noNull: "CW0315"
        case .stepRefused: "CW0500"
        case .unexpectedState: "CW0501"
        case .unexpectedField: "CW0502"
        case .unexpectedDeadline: "CW0503"
        case .missingNotice: "CW0504"
        case .unexpectedRefusal: "CW0505"
        case .unexpectedDecision: "CW0506"
        case .unexpectedTimeline: "CW0507"
        case .scenarioSetupFailed: "CW0508"
        case .unknownActor: "CW0520"
        case .stepDoesNotDoOneThing: "CW0521"
        case .unknownScenarioWorkflow: "CW0522"
        case .scenarioHasNoChild: "CW0523"
        case .unexpectedDocument: "CW0509"
        case .unwantedNotice: "CW0510"
        case .unknownScenarioDocumentKind: "CW0524"
        case .malformedDocumentCheck: "CW0525"
        }
    }

    /// Whether the finding fails validation.
    public var severity: Severity {
        switch self {
        case .unusedTemplate, .messageWithoutTemplate, .ruleNeverMatches, .fieldInSubject, .workflowWithoutPolicy, .fieldNeverSet, .redactionOverridesAllow, .sectionHidesNoField,
            .templateFieldMaybeUnset: .warning
        default: .error
        }
    }

    /// The one-line message.
    public var message: String {
        switch self {
        case .unreadableFile(let reason): "cannot read file: \(reason)"
        case .fileTooLarge(let bytes, let limit): "file is \(bytes) bytes, over the limit of \(limit) bytes"
        case .nulByte: "file contains a NUL byte; definition files must be UTF-8 text"
        case .invalidUTF8: "file is not valid UTF-8"
        case .yamlSyntax(let problem, let context, _):
            if let context { "invalid YAML: \(problem) \(context)" } else { "invalid YAML: \(problem)" }
        case .emptyDocument: "file holds no definition"
        case .multipleDocuments: "file holds more than one YAML document"
        case .rootNotMapping(let found): "a definition file must be a mapping, found \(found)"
        case .duplicateKey(let key): "key '\(key)' appears more than once in this mapping"
        case .complexKey: "mapping keys must be plain words, not lists or mappings"
        case .unsupportedTag(let tag): "tag '\(tag)' is not supported"
        case .undefinedAlias(let name): "alias '*\(name)' names no anchor defined before it"
        case .nestingTooDeep(let limit): "nesting is deeper than the limit of \(limit) levels"
        case .scalarTooLarge(let bytes, let limit): "value is \(bytes) bytes, over the limit of \(limit) bytes"
        case .tooManyNodes(let limit): "document has more than \(limit) nodes once aliases are expanded"
        case .tooManyAliases(let limit): "document uses more than \(limit) aliases"
        case .tooMuchExpandedText(let limit): "document holds more than \(limit) bytes of text once aliases are expanded"
        case .unknownDocumentKind: "file is not a workflow, form, policy, calendar or child definition: it has no 'workflow', 'form', 'policy', 'calendar' or 'child' key"
        case .unknownKey(let key, let place, _, _): "unknown key '\(key)' in \(place)"
        case .missingKey(let key, let place): "\(place) is missing required key '\(key)'"
        case .missingTransitionTarget(let place): "\(place) is missing required key 'to'"
        case .wrongType(let place, let expected, let found): "\(place) must be \(expected), found \(found)"
        case .invalidName(let name, let kind, _): "'\(name)' is not a valid \(kind) name"
        case .invalidVersion(let found): "version must be a whole number of 1 or more, found \(found)"
        case .invalidDuration(let text, let reason): "'\(text)' is not a duration: \(reason)"
        case .unknownFieldType(let name, _): "unknown field type '\(name)'"
        case .emptyList(let place): "\(place) must not be empty"
        case .duplicateEntry(let entry, let place): "'\(entry)' appears more than once in \(place)"
        case .invalidCalendarRule(let reason): reason
        case .invalidMediaType(let text): "'\(text)' is not a media type"
        case .invalidByteSize(let text, let reason): "'\(text)' is not a document size: \(reason)"
        case .duplicateDefinition(let id): "definition '\(id)' is declared more than once in this set"
        case .duplicateTransition(let name): "transition '\(name)' is declared more than once"
        case .noInitialState(let workflow): "workflow '\(workflow)' has no initial state"
        case .multipleInitialStates(let state): "state '\(state)' is a second initial state"
        case .unknownState(let name, let referrer, _): "\(referrer) refers to unknown state '\(name)'"
        case .unknownRole(let name, let referrer, _): "\(referrer) refers to unknown role '\(name)'"
        case .unknownTemplate(let name, let referrer, _): "\(referrer) refers to unknown template '\(name)'"
        case .unknownForm(let name, let referrer, _): "\(referrer) refers to unknown form '\(name)'"
        case .unknownPlaceholder(let path, let template, _): "template '\(template)' uses unknown field '\(path)'"
        case .unreachableState(let name): "state '\(name)' cannot be reached from the initial state"
        case .trapState(let name): "state '\(name)' is not final but no final state can be reached from it"
        case .transitionFromFinalState(let transition, let state): "transition '\(transition)' leaves final state '\(state)'"
        case .formNotSharedWith(let form, let role): "form '\(form)' is not shared with '\(role)'"
        case .unusedTemplate(let name): "template '\(name)' is never used"
        case .noFinalState(let workflow): "workflow '\(workflow)' has no final state"
        case .malformedPlaceholder(let template, let reason): "template '\(template)' has a malformed placeholder: \(reason)"
        case .formRoleNotInWorkflow(let form, let role, let workflow, _):
            "form '\(form)' names role '\(role)', which workflow '\(workflow)' does not declare"
        case .initialStateIsFinal(let state): "initial state '\(state)' is also final, so the workflow can never do anything"
        case .unknownCalendar(let name, let referrer, _): "\(referrer) refers to unknown calendar '\(name)'"
        case .calendarCycle(let calendar): "calendar '\(calendar)' extends itself through the calendars it extends"
        case .notADateField(let field, let type): "a deadline starts from a date, but field '\(field)' is \(type)"
        case .unknownField(let name, let referrer, _): "\(referrer) refers to unknown field '\(name)'"
        case .reminderAfterDue(let reminder, let deadline):
            reminder.hasSuffix(" after")
                ? "reminder '\(reminder)' of deadline '\(deadline)' comes after the deadline is due"
                : "reminder '\(reminder)' of deadline '\(deadline)' comes before the deadline starts"
        case .unknownTransition(let name, let referrer, _): "\(referrer) refers to unknown transition '\(name)'"
        case .duplicateDeadline(let name): "deadline '\(name)' is declared more than once"
        case .unknownResource(let name, let referrer, _): "\(referrer) refers to unknown resource '\(name)'"
        case .unknownAction(let name, let referrer, _): "\(referrer) refers to unknown action '\(name)'"
        case .unknownLevel(let name, let referrer, _): "\(referrer) holds a grant at unknown level '\(name)'"
        case .duplicateRule(let id): "rule '\(id)' is declared more than once"
        case .ruleNeverMatches(let id, let reason): "rule '\(id)' can never match: \(reason)"
        case .unknownPolicy(let name, let referrer, _): "\(referrer) refers to unknown policy '\(name)'"
        case .fieldInSubject(let template, let field): "the subject of template '\(template)' shows field '\(field)'"
        case .missingPolicy(let workflow, let policies):
            "workflow '\(workflow)' names no access policy, but the set holds \(Self.quotedList(policies, noun: "policy", plural: "policies"))"
        case .workflowWithoutPolicy(let workflow, _):
            "workflow '\(workflow)' runs without an access policy: nothing checks who may see or change its cases beyond 'by:'"
        case .fieldNeverSet(let field, let reader): "field '\(field)' is read by \(reader), but nothing sets it"
        case .templateFieldMaybeUnset(let template, let field, let transition):
            "template '\(template)' shows '\(field)', which can still be unset when transition '\(transition)' sends it"
        case .reservedPolicyName(let name, let kind): "\(kind) '\(name)' is reserved: the engine gives it its own meaning"
        case .sectionHidesNoField(let path, let fields):
            "redaction '\(path)' hides no field of any workflow (it stands for \(fields.map { "'\($0)'" }.joined(separator: ", ")))"
        case .redactionReachesNoField(let path, nil, _): "redaction '\(path)' reaches no field of any workflow"
        case .redactionReachesNoField(let path, let section?, _): "section '\(section)' stands for '\(path)', which is no field of any workflow"
        case .redactionOverridesAllow(let rule, let path, let redactingRule):
            "rule '\(rule)' allows '\(path)', which rule '\(redactingRule)' redacts: when both match, the request is refused"
        case .malformedReason(let rule, let reason): "the reason of rule '\(rule)' has a malformed placeholder: \(reason)"
        case .formWithoutResource(let form, let policy): "form '\(form)' does not say which resource of policy '\(policy)' guards it"
        case .unknownDocumentResource(let kind, let resource, let policy, _):
            "document kind '\(kind)' is guarded by resource '\(resource)', which policy '\(policy)' does not declare"
        case .documentResourceWithoutSections(let kind, let resource, let policy):
            "document kind '\(kind)' is addressed by the sections of '\(resource)', which has none in policy '\(policy)'"
        case .formIntoUnknownDocument(let form, let kind, let workflow, _):
            "form '\(form)' is accepted into document kind '\(kind)', which workflow '\(workflow)' does not declare"
        case .formIntoDocumentMismatch(let form, let kind, let problem):
            switch problem {
            case .sectionMissing: "form '\(form)' is accepted into '\(kind)', which is addressed by sections, but names no 'section'"
            case .sectionOfWholeKind(let section): "form '\(form)' is accepted into section '\(section)' of '\(kind)', which is seen whole"
            case .unknownSection(let section, let resource, _, _): "form '\(form)' is accepted into section '\(section)' of '\(kind)', which '\(resource)' does not have"
            case .typeNotTaken(let type): "form '\(form)' is accepted into '\(kind)', which does not take \(type), the type a form's answers are written as"
            }
        case .messageWithoutTemplate(let messages, let workflow):
            "workflow '\(workflow)' names no template for \(messages.count == 1 ? "the message" : "the messages") \(messages.map { "'\($0)'" }.joined(separator: ", "))"
        case .unknownDeadline(let name, let referrer, _): "\(referrer) refers to unknown deadline '\(name)'"
        case .windowEscalates(let deadline): "deadline '\(deadline)' is a window the family holds, but it escalates with 'on_breach'"
        case .metByNotADate(let field, let deadline, let type): "deadline '\(deadline)' is met by field '\(field)', which is \(type), not a date"
        case .dueTwice(let deadline): "deadline '\(deadline)' gives both 'due' and 'due_on'"
        case .unknownLinkWorkflow(let link, let workflow, _): "link '\(link)' opens cases of unknown workflow '\(workflow)'"
        case .unknownLink(let name, let referrer, _): "\(referrer) refers to unknown link '\(name)'"
        case .reportNotByLinkEngine(let transition, let workflow):
            "transition '\(transition)' of workflow '\(workflow)' is reported to, but its 'by' does not name 'engine:link'"
        case .reportWithoutOpener(let workflow): "workflow '\(workflow)' reports back, but no workflow links to it"
        case .reportInputNotTaken(let field, let transition, let workflow):
            "'\(field)' is not an input of transition '\(transition)' of workflow '\(workflow)'"
        case .staysWithTarget(let place): "\(place) says both 'to' and 'stays: true'"
        case .staysNotTrue(let place, let found): "'stays' of \(place) must be true, found \(found)"
        case .reportChoicesShareState(let state, let transitions, let workflow):
            "\(Self.quotedList(transitions, noun: "transition", plural: "transitions")) of workflow '\(workflow)' can each be fired from state '\(state)', so the report's choice would depend on their order"
        case .secondChildDefinition(let id, let first):
            "a set holds one child definition, but '\(id)' is a second beside '\(first)'"
        case .childRecordWithoutDefinition(let workflow):
            "workflow '\(workflow)' reads the child record ('child: from_record'), but the set has no child definition"
        case .childRecordShadowsField(let workflow):
            "workflow '\(workflow)' reads the child record ('child: from_record') and declares a field 'child' of its own"
        case .unexpectedToken(let found, let expected): "expected \(expected), found \(found)"
        case .unexpectedCharacter(let text, _): "unexpected character '\(text)' in expression"
        case .cannotCompare(let left, let right): "cannot compare \(left) with \(right)"
        case .unknownName(let name, _): "unknown name '\(name)'"
        case .unknownFunction(let name, _): "unknown function '\(name)'"
        case .wrongArguments(let function, let signature, let found): "'\(function)' takes \(signature), found \(found)"
        case .conditionType(let role, let expected, let found): "\(role) must be \(expected), found \(found)"
        case .unknownEnumValue(let value, let member, _): "'\(value)' is not \(member)"
        case .operatorType(let op, let operands, let expected): "'\(op)' needs \(expected), found \(operands)"
        case .expressionTooComplex(let reason): "expression is too complex: \(reason)"
        case .invalidLiteral(let text, let reason): "invalid value '\(text)': \(reason)"
        case .membershipNeedsList(let found): "'in' needs a list on its right, found \(found)"
        case .mixedList(let first, let other): "a list holds values of one type: this list has \(first) and \(other)"
        case .noDateOfBirth: "'age_on' needs a date-of-birth field, 'date_of_birth' or 'child.date_of_birth', of type date"
        case .notAValue(let name): "'\(name)' is a group of fields, not a value"
        case .noSuchPart(let name, let type, let part): "'\(name)' is a \(type) and has no part '\(part)'"
        case .noNull(let name): "there is no '\(name)' in expressions"
        case .stepRefused(let step, let code, let reason): "\(step) was refused (\(code)): \(reason)"
        case .unexpectedState(let expected, let actual): "expected state '\(expected)', got '\(actual)'"
        case .unexpectedField(let field, let expected, let actual):
            "expected field '\(field)' to be '\(expected)', " + (actual.map { "got '\($0)'" } ?? "but it is not set")
        case .unexpectedDeadline(let deadline, let expected, let actual):
            "expected deadline '\(deadline)' \(expected), " + (actual.map { "got \($0)" } ?? "but it has not started")
        case .missingNotice(let expected, let sent):
            "expected a notice \(expected), " + (sent.isEmpty ? "but the step sent none" : "but the step sent \(sent.count == 1 ? "only " : "")\(sent.joined(separator: ", "))")
        case .unexpectedRefusal(let expected, let actual): "expected the step to be refused (\(expected)), \(actual)"
        case .unexpectedDecision(let expected, let actual): "expected decision \(expected), got \(actual)"
        case .unexpectedTimeline(let text, let shouldShow):
            shouldShow ? "expected the timeline to show '\(text)', but it does not" : "expected the timeline to hide '\(text)', but it shows it"
        case .scenarioSetupFailed(let reason): "the scenario's case could not be set up: \(reason)"
        case .unknownActor(let name, let referrer, _): "\(referrer) refers to unknown actor '\(name)'"
        case .stepDoesNotDoOneThing(let found, _):
            found.isEmpty ? "a step does one thing, but this step does nothing" : "a step does one thing, but this step does \(found.map { "'\($0)'" }.joined(separator: " and "))"
        case .unknownScenarioWorkflow(let name, _): "the scenario's case refers to unknown workflow '\(name)'"
        case .scenarioHasNoChild(let referrer): "\(referrer) reads the child's timeline, but the scenario's case belongs to no child"
        case .unexpectedDocument(let expected, let actual): "expected the document \(expected), \(actual)"
        case .unwantedNotice(let unwanted, let sent): "expected no notice \(unwanted), but the step sent \(sent.joined(separator: ", "))"
        case .unknownScenarioDocumentKind(let name, let referrer, _): "\(referrer) refers to unknown document kind '\(name)'"
        case .malformedDocumentCheck(let problem, _): problem
        }
    }

    /// A suggested fix, or nil when the message says it all.
    public var help: String? {
        switch self {
        case .unknownDocumentKind(let suggestion):
            if let suggestion { return "did you mean '\(suggestion)'?" }
            return "start the file with 'workflow: NAME', 'form: NAME', 'policy: NAME' or 'calendar: NAME'"
        case .unknownName(_, let suggestion?), .unknownFunction(_, let suggestion?), .unknownEnumValue(_, _, let suggestion?),
            .unknownCalendar(_, _, let suggestion?), .unknownField(_, _, let suggestion?), .unknownTransition(_, _, let suggestion?),
            .unknownResource(_, _, let suggestion?), .unknownAction(_, _, let suggestion?), .unknownPolicy(_, _, let suggestion?),
            .unknownLevel(_, _, let suggestion?), .redactionReachesNoField(_, _, let suggestion?):
            return "did you mean '\(suggestion)'?"
        case .unexpectedCharacter(_, let help?), .yamlSyntax(_, _, let help?):
            return help
        case .wrongArguments(_, let signature, _):
            return "call it as \(signature)"
        case .conditionType(_, let expected, _):
            if expected == "bool" { return "a condition is a comparison such as 'requested_on < today', or a bool field" }
            if expected == "one_of" { return "write one of the field's words, in quotes" }
            return "write an expression whose value is \("aeiou".contains(expected.prefix(1)) ? "an" : "a") \(expected)"
        case .expressionTooComplex:
            return "split the condition into simpler parts"
        case .missingPolicy(_, let policies):
            let name = policies.count == 1 ? "'policy: \(policies[0])'" : "'policy: NAME' naming one of \(policies.map { "'\($0)'" }.joined(separator: ", "))"
            return "add \(name), or 'policy: none' if its 'by:' roles alone should decide who acts on its cases"
        case .workflowWithoutPolicy(_, let policies):
            let name = policies.count == 1 ? "'policy: \(policies[0])'" : "'policy: NAME' with one of \(policies.map { "'\($0)'" }.joined(separator: ", "))"
            return "bind it with \(name) unless running on 'by:' roles alone is deliberate"
        case .templateFieldMaybeUnset(_, let field, _):
            return "make '\(field)' required in the 'input:' of a step every case takes before this one, give it a value with 'set:', or take it out of the template; until then the letter shows '(not yet recorded)'"
        case .fieldNeverSet:
            return "declare it in the 'input:' of the transition that records it, or set it with 'set:'"
        case .sectionHidesNoField(let path, _):
            return "map the section to the fields it means with 'section_fields: { \(path): [FIELD, ...] }', or take the redaction out"
        case .reservedPolicyName(_, let kind):
            return kind == "action"
                ? "the built-in actions (view, comment, submit, edit, open, grant) need no declaring, and 'all' in a rule already means every action; declare only new ones"
                : "the engine sets actor.id, actor.role and actor.organisation from who is acting; give the attribute another name"
        case .redactionOverridesAllow(_, let path, _):
            return "if the redaction is meant, take '\(path)' out of this rule's 'on'; if the allow is meant, narrow the other rule's 'on' or 'when' so both cannot match"
        case .messageWithoutTemplate(let messages, _):
            return "add 'messages: { \(messages[0]): TEMPLATE, ... }' naming templates of 'templates:'; until then each is sent as its title and a list of its values"
        case .unknownDocumentResource(_, _, _, let suggestion?):
            return "did you mean '\(suggestion)'?"
        case .unknownDocumentResource(let kind, let resource, let policy, nil):
            return resource.hasPrefix("document.")
                ? "declare 'document: [\(kind), ...]' under 'resources:' of policy '\(policy)' and say in its rules who may view and submit it"
                : "declare '\(resource): [SECTION, ...]' under 'resources:' of policy '\(policy)', or name a resource it declares"
        case .formIntoUnknownDocument(_, _, _, let suggestion?):
            return "did you mean '\(suggestion)'?"
        case .formIntoUnknownDocument(_, let kind, let workflow, nil):
            return "declare '\(kind)' under 'documents:' of workflow '\(workflow)', or name a kind it declares"
        case .formIntoDocumentMismatch(_, _, let problem):
            switch problem {
            case .sectionMissing: return "say which section the answers are, such as 'into_document: { kind: draft_plan, section: A }'"
            case .sectionOfWholeKind: return "leave 'section' out: the answers are the whole document"
            case .unknownSection(_, _, let suggestion?, _): return "did you mean '\(suggestion)'?"
            case .unknownSection(_, let resource, nil, let sections): return "'\(resource)' has the sections \(sections.joined(separator: ", "))"
            case .typeNotTaken(let type): return "add \(type) to the kind's 'types'"
            }
        case .documentResourceWithoutSections(_, let resource, let policy):
            return "give '\(resource)' its sections in policy '\(policy)' ('\(resource): [A, B, ...]'), or leave 'sections:' out so the kind is seen whole"
        case .invalidMediaType:
            return "write the type and subtype in lower case, such as 'application/pdf' or 'text/markdown', without parameters"
        case .formWithoutResource(_, let policy):
            return "add 'resource: NAME' to the form, naming the resource of policy '\(policy)' whose rules decide who may view, submit, accept and reject it"
        case .malformedReason:
            return "write a value to show as '{expression}', such as '{grant.until}'; a reason cannot show a brace itself"
        case .fieldInSubject:
            return "subjects show in inboxes and lock screens: keep to {{ case.id }}, {{ case.state_title }} and {{ workflow.title }}, and put details in the body"
        case .noNull:
            return "test whether a field has been set with has(field), for example 'not has(withdrawn_on)'"
        case .noDateOfBirth:
            return "declare 'date_of_birth: date' (or 'child: { date_of_birth: date }') in the workflow's fields"
        case .cannotCompare:
            return "compare like with like, such as a date with a date; only numbers, dates and datetimes can use '<', '<=', '>' and '>='"
        case .unknownFunction:
            return "the functions are " + ExpressionFunction.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        case .membershipNeedsList:
            return "write the values to look in as a list, such as 'requested_by in [\"parent\", \"school\"]'"
        case .notAValue(let name):
            return "use one of its fields, such as '\(name).NAME', or test whether any of them is set with has(\(name))"
        case .unknownActor(_, _, let suggestion?), .unknownScenarioWorkflow(_, let suggestion?), .unknownScenarioDocumentKind(_, _, let suggestion?):
            return "did you mean '\(suggestion)'?"
        case .unknownScenarioDocumentKind:
            return "name a kind the workflow declares under 'documents:'"
        case .malformedDocumentCheck(_, let help):
            return help
        case .unknownActor:
            return "declare the actor under 'actors:' with its role, such as 'ana: { role: caseworker }'"
        case .stepDoesNotDoOneThing(_, let allowed):
            return "give the step one of " + allowed.map { "'\($0)'" }.joined(separator: ", ") + ", and split the rest into steps of their own"
        case .scenarioHasNoChild:
            return "name the child under 'given:', such as 'child: { id: k-17, fields: { first_name: Sam } }'; the case and the cases it opens belong to it"
        case .stepRefused:
            return "if the refusal is what should happen, say so with 'expect: { refused: CODE }'"
        case .unknownKey(_, _, let suggestion?, _), .unknownFieldType(_, let suggestion?),
            .unknownState(_, _, let suggestion?), .unknownRole(_, _, let suggestion?),
            .unknownTemplate(_, _, let suggestion?), .unknownForm(_, _, let suggestion?),
            .unknownPlaceholder(_, _, let suggestion?), .unknownDeadline(_, _, let suggestion?),
            .unknownLinkWorkflow(_, _, let suggestion?), .unknownLink(_, _, let suggestion?):
            return "did you mean '\(suggestion)'?"
        case .unknownKey(_, _, nil, let allowed):
            return "expected one of: " + allowed.map { "'\($0)'" }.joined(separator: ", ")
        case .unknownFieldType:
            return "use bool, int, decimal, string, text, date, datetime, { one_of: [...] }, { list: TYPE } or a mapping of fields"
        case .invalidName(_, _, let rule):
            return rule
        case .invalidDuration:
            return "write a whole number and a unit: '6 weeks', '15 working days', '2 months'"
        case .nulByte, .invalidUTF8:
            return "save the file as UTF-8 text"
        case .multipleDocuments:
            return "put each workflow or form in a file of its own"
        case .complexKey:
            return "write keys as plain words such as 'title'"
        case .unsupportedTag:
            return "remove the tag; Casework reads only the standard YAML types"
        case .duplicateKey, .duplicateDefinition, .duplicateTransition, .duplicateDeadline:
            return "rename or remove one of them"
        case .calendarCycle:
            return "remove 'extends' from one of the calendars in the circle"
        case .windowEscalates:
            return "remove 'on_breach', or make it 'kind: duty' if the time is the council's"
        case .metByNotADate:
            return "name the date field the step that meets it sets, such as 'met_by: final_plan_issued_on'"
        case .unknownLinkWorkflow:
            return "name a workflow of the checked set"
        case .unknownLink:
            return "declare the link under 'links:' with the workflow of its cases"
        case .reportNotByLinkEngine:
            return "add 'engine:link' to the transition's 'by' list: the engine fires it for the linked case"
        case .reportWithoutOpener(let workflow):
            return "declare a link to '\(workflow)' in the workflow whose cases open it, or remove 'report'"
        case .reportInputNotTaken:
            return "add the field to the transition's 'input', or leave it out of the report"
        case .missingTransitionTarget:
            return "write 'to: STATE' for the state it moves the case to, or 'stays: true' for a step that leaves the case in the state it is in"
        case .staysWithTarget:
            return "keep 'to: STATE' for a step that moves the case, or 'stays: true' for one that leaves it in its state, not both"
        case .staysNotTrue:
            return "write 'to: STATE' for a step that moves the case; 'stays' is only ever 'true', for a step that leaves the case in its state"
        case .reportChoicesShareState(let state, _, _):
            return "a report fires the one transition whose 'from' holds the case's state: take '\(state)' out of the 'from' of all but one"
        case .secondChildDefinition:
            return "keep one file with 'child:' in the set, and put every identity field in it"
        case .childRecordWithoutDefinition:
            return "add a child definition ('child: NAME', 'version:', 'fields:') to the set, or take out 'child: from_record'"
        case .childRecordShadowsField:
            return "rename the workflow's own field 'child', or take out 'child: from_record' and keep reading the case's own fields"
        case .dueTwice:
            return "keep 'due' for a period from the start, or 'due_on' for a date worked out from the case, not both"
        case .notADateField:
            return "start it from a date field, from { entered: STATE } or from { fired: TRANSITION }"
        case .reminderAfterDue(let reminder, _):
            return reminder.hasSuffix(" after")
                ? "remind before the due date, such as '1 week before'; 'on_breach' says who is told when it is missed"
                : "make a reminder before the due date no longer than the deadline's 'due'"
        case .noInitialState:
            return "mark the state where a case starts with 'initial: true'"
        case .multipleInitialStates:
            return "a case starts in exactly one state; keep 'initial: true' on one of them"
        case .noFinalState:
            return "mark the states where a case ends with 'final: true'"
        case .unreachableState:
            return "add a transition into it, or remove it"
        case .trapState:
            return "add a transition towards a final state, or mark it 'final: true'"
        case .transitionFromFinalState:
            return "a case ends in a final state; remove 'final: true' or the transition"
        case .formNotSharedWith(let form, _):
            return "add the role to the 'shared_with' list of form '\(form)', or start the form for another role"
        case .unusedTemplate:
            return "use it in a 'notify' entry or name it in 'messages:', or remove it"
        case .malformedPlaceholder:
            return "write placeholders as '{{ field_name }}'"
        case .formRoleNotInWorkflow(let form, _, _, let suggestion?):
            return "did you mean '\(suggestion)'? correct it in form '\(form)'"
        case .formRoleNotInWorkflow(let form, let role, let workflow, nil):
            return "name one of the roles of workflow '\(workflow)' in form '\(form)', or add '\(role)' to the workflow's 'roles' list"
        case .invalidVersion:
            return "write 'version: 1' and raise it by one for each change"
        case .emptyDocument:
            return "start the file with 'workflow: NAME', 'form: NAME', 'policy: NAME' or 'calendar: NAME'"
        case .nestingTooDeep, .scalarTooLarge, .tooManyNodes, .tooManyAliases, .tooMuchExpandedText, .fileTooLarge:
            return "definition files are small; split or simplify this one"
        default:
            return nil
        }
    }
}

/// Why a form's `into_document:` cannot hold its answers (CW0250).
public enum FormDocumentProblem: Sendable, Hashable {
    /// The kind is addressed by sections and no section is named.
    case sectionMissing
    /// A section is named for a kind seen whole.
    case sectionOfWholeKind(String)
    /// The section is not one the kind's resource has in the policy; a near name, and the sections it has.
    case unknownSection(String, resource: String, suggestion: String?, sections: [String])
    /// The kind does not take the media type the answers are written as.
    case typeNotTaken(String)
}
