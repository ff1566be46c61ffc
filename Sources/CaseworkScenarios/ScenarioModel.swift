import CaseworkDefinitions
import CaseworkTime
import CaseworkYAML

/// One `*.test.yaml` file as written: its scenarios, each still in the words of the file (names, not yet checked
/// against the definitions; values as text, typed only once the checker knows the fields they are for).
public struct ScenarioFile: Sendable, Hashable {
    /// The file's path, as diagnostics show it.
    public var file: String
    /// Its scenarios, in file order: one for a `scenario:` document, several for a `scenarios:` list.
    public var scenarios: [Scenario]
}

/// A value written in a scenario for a field or an attribute: a dotted path and the scalar's text, each located.
public struct WrittenValue: Sendable, Hashable {
    /// The field's or attribute's dotted path (`child.first_name`).
    public var path: Located<String>
    /// The scalar as written (`2025-09-01`, `true`, `parent`).
    public var text: Located<String>
}

/// One story about one case: what is there before it starts, who acts, and the steps with what each expects.
public struct Scenario: Sendable, Hashable {
    /// The scenario's one-line name (`scenario:`).
    public var name: Located<String>
    /// The first day of the scripted clock (`given.today`).
    public var today: Located<CalendarDate>
    /// The workflow of the case opened before the first step (`given.case.workflow`).
    public var workflow: Located<String>
    /// The case's id (`given.case.id`, `case-1` when not given).
    public var caseID: String
    /// The fields the case is opened with (`given.case.fields`).
    public var fields: [WrittenValue]
    /// Who is named on the case, by role: actor names (`given.participants`).
    public var participants: [(role: Located<String>, actors: [Located<String>])]
    /// The grants recorded before the first step (`given.grants`).
    public var grants: [GrantWritten]
    /// The people and organisations who act, by name (`actors:`), in file order.
    public var actors: [ActorWritten]
    /// The steps, in order.
    public var steps: [ScenarioStep]
    /// The store the scenario runs on (`given.store`): a fresh in-memory store unless it says `sqlite`.
    public var store: ScenarioStore = .memory
    /// The child the scenario's case belongs to (`given.child`), added before the case is opened; the cases it opens
    /// through its links belong to the same child. Nil when the case belongs to no child.
    public var child: ChildWritten? = nil

    /// Scenarios compare by what they say, not by where.
    public static func == (lhs: Scenario, rhs: Scenario) -> Bool { lhs.name == rhs.name && lhs.steps == rhs.steps }
    /// Hashes the name and the steps, as ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(steps)
    }
}

/// The store a scenario runs on, each fresh for the scenario: the in-memory store, or a new SQLite database file in a
/// temporary directory that is removed once the scenario has run, so that a scenario shows the same story holds on
/// the store a council runs.
public enum ScenarioStore: String, Sendable, Hashable, CaseIterable {
    /// `memory`, the default.
    case memory
    /// `sqlite`: a new SQLite file, through the same store the command line opens with `--db`.
    case sqlite
}

/// The child record a scenario's case belongs to (`given.child`): its id, identity fields, the people with a
/// relationship to the child, and the grants given for the child, each covering every case of the child without a grant
/// of its own for the grantee.
public struct ChildWritten: Sendable, Hashable {
    /// The child's id (`id:`).
    public var id: Located<String>
    /// The identity fields, stored as text as `casework child add --set` stores them (`fields:`).
    public var fields: [WrittenValue]
    /// The people with a relationship to the child (`people:`).
    public var people: [ChildPersonWritten]
    /// The grants given for the child (`grants:`).
    public var grants: [GrantWritten]
}

/// A person with a relationship to a scenario's child: an actor, the relationship in the council's words, and whether
/// they hold parental responsibility.
public struct ChildPersonWritten: Sendable, Hashable {
    /// The actor (`person:`).
    public var actor: Located<String>
    /// The relationship (`relationship:`, such as `mother`).
    public var relationship: Located<String>
    /// Whether they hold parental responsibility (`parental_responsibility:`, false when not given).
    public var parentalResponsibility: Bool
    /// The first day the relationship holds (`from:`).
    public var from: CalendarDate?
    /// The last day it holds (`until:`).
    public var until: CalendarDate?
}

/// A grant written in a scenario: to an actor (`jo`, or `parent:jo` naming the actor's role too), at a level.
public struct GrantWritten: Sendable, Hashable {
    /// The actor the grant is for, without the role prefix.
    public var actor: Located<String>
    /// The role written before the actor's name, when there is one; it must be the actor's role.
    public var role: Located<String>?
    /// The policy level (`full`, `limited`, `none`).
    public var level: Located<String>
    /// The only sections it covers, when limited to some.
    public var sections: [String]?
    /// Why, as the audit records it (`reason:`, a stock sentence when not given).
    public var reason: String
}

/// Someone who acts in a scenario: a person, or an organisation's generic account.
public struct ActorWritten: Sendable, Hashable {
    /// The name steps use (`ana`); the actor's id unless `id:` gives another.
    public var name: Located<String>
    /// The workflow role they act in.
    public var role: Located<String>
    /// Their id on the case (`id:`, else the name).
    public var id: String
    /// The organisation they act for, when they act for one (`organisation:`).
    public var organisation: String?
    /// Their attributes for the access policy (`attributes:`), typed by the policy's `actor:` declarations.
    public var attributes: [WrittenValue]
}

/// One step: on a day, as an actor, it does one thing and expects what follows.
public struct ScenarioStep: Sendable, Hashable {
    /// The step's number in its scenario, from 1.
    public var number: Int
    /// Where the step starts in the file.
    public var range: SourceRange
    /// The day it happens (`on:`); the day of the step before it when not given.
    public var on: Located<CalendarDate>?
    /// Who does it (`as:`); tick and timeline need nobody, `timeline` reads as the operator when nobody is named.
    public var actor: Located<String>?
    /// What it does.
    public var action: StepAction
    /// Where the action's key is, for a diagnostic about the step's outcome.
    public var actionRange: SourceRange
    /// What it expects, when it says.
    public var expect: Expectations?
    /// The linked case the step acts on and its expectations read (`case:`), by its path of links from the scenario's
    /// case (`reviews-1` is the case `CASE.reviews-1` opened through the link `reviews`); nil for the scenario's case.
    public var linkedCase: Located<String>? = nil
}

/// The one thing a step does, each through the engine's own door for it.
public enum StepAction: Sendable, Hashable {
    /// `fire: TRANSITION` with `input:` values.
    case fire(Located<String>, input: [WrittenValue])
    /// `submit: FORM_INSTANCE` with the form's `fields:`.
    case submit(Located<String>, fields: [WrittenValue])
    /// `accept: FORM_INSTANCE`.
    case accept(Located<String>)
    /// `reject: FORM_INSTANCE` with `information_required:`.
    case reject(Located<String>, informationRequired: String)
    /// `tick: true`: reminders and breaches due on the step's day.
    case tick
    /// `pause: DEADLINE` with `reason:` and `exception:`.
    case pause(Located<String>, reason: String, exception: String?)
    /// `resume: DEADLINE` with `reason:`.
    case resume(Located<String>, reason: String)
    /// `excuse: DEADLINE` with `reason:` and `exception:`.
    case excuse(Located<String>, reason: String, exception: String?)
    /// `grant: { to:, level: }`.
    case grant(GrantWritten)
    /// `revoke: ACTOR` with `reason:`.
    case revoke(actor: Located<String>, role: Located<String>?, reason: String)
    /// `decide: { action:, resource: }`: the access decision for the step's actor on the case as it is.
    case decide(action: Located<String>, resource: Located<String>)
    /// `timeline: true`: the case's timeline as the step's actor sees it.
    case timeline
    /// `timeliness: true`: the timeliness report over every case in the scenario's store the step's actor may see,
    /// for the clocks due or met from `given.today` to the step's day, as `casework report timeliness` gives it.
    case timeliness
    /// `child_timeline: true`: the timeline of the scenario's child (`given.child`) across every case of the child the
    /// step's actor may see, as `casework child timeline` gives it.
    case childTimeline
    /// `document: KIND` with `version:`: one version of a document (the latest without `version`) as the step's actor
    /// sees it through the door, with the text of each part they may see, as `casework document show` and `get` give them.
    case document(Located<String>, version: Located<Int>?)
    /// `add_document: KIND` with `section:`, `text:`, `type:`, `shared_with:` and `reason:`: a version added as the
    /// step's actor, as `casework document add` adds it.
    case addDocument(Located<String>, DocumentWritten)

    /// Whether the step reads a document version, which `expect: { document: ... }` is about.
    public var readsDocument: Bool {
        switch self {
        case .document, .addDocument: true
        default: false
        }
    }

    /// The step kinds, as keys of a step.
    public static let keys = ["fire", "submit", "accept", "reject", "tick", "pause", "resume", "excuse", "grant", "revoke", "decide", "timeline", "timeliness",
                              "child_timeline", "document", "add_document"]
}

/// A document version an `add_document` step adds: its section (for a sectioned kind), its text, its media type,
/// the organisations it is given to, and why.
public struct DocumentWritten: Sendable, Hashable {
    /// The section it adds (`section:`), nil for the whole document.
    public var section: Located<String>?
    /// The text added (`text:`), stored as its UTF-8 bytes.
    public var text: String
    /// The media type (`type:`, `text/markdown` when not given).
    public var mediaType: String
    /// The organisations it is given to (`shared_with:`); nil keeps the latest version's.
    public var sharedWith: [String]?
    /// Why, as the version records it (`reason:`, a stock sentence when not given).
    public var reason: String
}

/// What a step expects; each part is checked only when written.
public struct Expectations: Sendable, Hashable {
    /// Where `expect:` is.
    public var range: SourceRange
    /// The state after the step (`state:`).
    public var state: Located<String>?
    /// Field values after the step (`fields:`).
    public var fields: [WrittenValue]
    /// Deadlines after the step (`deadlines:`).
    public var deadlines: [DeadlineExpectation]
    /// Notices the step sent (`notices:`).
    public var notices: [NoticeExpectation]
    /// Notices the step must not have sent (`no_notices:`): none it sent matches any of them.
    public var noNotices: [NoticeExpectation] = []
    /// That the step was refused, and how (`refused:`).
    public var refused: RefusalExpectation?
    /// A `decide` step's answer (`decision:`).
    public var decision: Located<String>?
    /// The sections a `decide` step's answer withholds (`redactions:`).
    public var redactions: Located<[String]>?
    /// What a `timeline` step's timeline, a `child_timeline` step's child timeline, or a `timeliness` step's report,
    /// shows and hides (`timeline:`).
    public var timeline: TimelineExpectation?
    /// What a `document` or `add_document` step's version holds as the step's actor sees it (`document:`).
    public var document: DocumentExpectation? = nil
}

/// A document version as a reader sees it: its number, who added it, the sections shown and withheld, and its text
/// (the whole, for a kind seen whole; each section's, for a sectioned kind).
public struct DocumentExpectation: Sendable, Hashable {
    /// Where the expectation is.
    public var range: SourceRange
    /// The version's number (`version:`).
    public var version: Located<Int>?
    /// Who added it (`added_by:`): a role (`caseworker`), or a role and an id (`caseworker:ana`), which only a reader
    /// who may see the people on the case is shown.
    public var addedBy: Located<String>?
    /// Sections the reader is shown (`shown:`).
    public var shown: [Located<String>]
    /// Sections the version holds but the reader is not shown (`withheld:`).
    public var withheld: [Located<String>]
    /// The whole text of a kind seen whole (`contains:`, `equals:`).
    public var text: TextExpectation
    /// Each section's text, for a sectioned kind (`sections: { A: { contains: ... } }`).
    public var sections: [(section: Located<String>, text: TextExpectation)]

    /// Expectations compare by what they say.
    public static func == (lhs: DocumentExpectation, rhs: DocumentExpectation) -> Bool {
        lhs.version == rhs.version && lhs.addedBy == rhs.addedBy && lhs.shown == rhs.shown && lhs.withheld == rhs.withheld && lhs.text == rhs.text
            && lhs.sections.map(\.section) == rhs.sections.map(\.section) && lhs.sections.map(\.text) == rhs.sections.map(\.text)
    }
    /// Hashes what ``==`` compares, but for the sections' texts.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(version)
        hasher.combine(addedBy)
        hasher.combine(shown)
        hasher.combine(withheld)
        hasher.combine(text)
        hasher.combine(sections.map(\.section))
    }
}

/// A text a document's part must contain or equal; each is checked only when written.
public struct TextExpectation: Sendable, Hashable {
    /// Text the part contains (`contains:`).
    public var contains: Located<String>?
    /// The part's whole text (`equals:`), compared exactly.
    public var equals: Located<String>?

    /// Whether nothing is written.
    public var isEmpty: Bool { contains == nil && equals == nil }
}

/// A deadline's expected status and due day (`name: breached`, or `name: { status: breached, due: 2025-10-13 }`).
public struct DeadlineExpectation: Sendable, Hashable {
    /// The deadline.
    public var name: Located<String>
    /// Its status (`running`, `paused`, `met`, `met_late`, `breached`, `excused`, `lapsed`, `closed`).
    public var status: Located<String>?
    /// Its due day.
    public var due: Located<CalendarDate>?
}

/// A notice the step must have sent; every part written must match the same notice.
public struct NoticeExpectation: Sendable, Hashable {
    /// Where the expectation is.
    public var range: SourceRange
    /// The recipient's role.
    public var to: Located<String>?
    /// Text the subject contains.
    public var subjectContains: String?
    /// Text the body contains.
    public var bodyContains: String?
    /// `portal` or `other` (owed by another route).
    public var channel: Located<String>?
}

/// A refusal: its code (`refused: forbidden`), a text a blocker or reason contains, or both.
public struct RefusalExpectation: Sendable, Hashable {
    /// Where the expectation is.
    public var range: SourceRange
    /// The refusal code (`forbidden`, `blocked`, `invalid_input`, `not_found`, `conflict`).
    public var code: Located<String>?
    /// Text one of the blockers or reasons contains.
    public var blockersContain: String?
}

/// What a timeline shows and hides, as texts (a state's or stage's title, a time limit's name, a notice's subject).
public struct TimelineExpectation: Sendable, Hashable {
    /// Texts the timeline must show.
    public var shows: [Located<String>]
    /// Texts it must not show.
    public var hides: [Located<String>]
}
