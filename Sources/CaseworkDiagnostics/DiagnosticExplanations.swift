/// What one diagnostic code means, written for the policy staff who edit definition files:
/// the rule, why it exists, and a small wrong and right example.
///
/// `casework validate --explain CW0204` prints one of these, and
/// `docs/reference/diagnostics.md` is all of them (see ``DiagnosticExplanations``).
package struct DiagnosticExplanation: Sendable, Hashable {
    /// The code explained, such as `CW0204`.
    package let code: DiagnosticCode
    /// Whether findings with this code fail validation.
    package let severity: Severity
    /// A few words naming the problem, such as `unknown state`.
    package let title: String
    /// One paragraph in plain English: what the rule is and why it exists.
    package let explanation: String
    /// A small YAML excerpt that breaks the rule.
    package let wrong: String
    /// The same excerpt, corrected.
    package let right: String
}

/// The catalogue of every diagnostic code Casework reports, and the reference text made from it.
package enum DiagnosticExplanations {
    /// One explanation per code in ``DiagnosticKind/allCodes``, in the same order.
    package static let all: [DiagnosticExplanation] = yamlLayer + structure + meaning + expressions + scenarios

    /// The explanation of `code`, or nil when Casework has no such code. Lower-case codes such as `cw0204` are accepted.
    package static func explanation(for code: DiagnosticCode) -> DiagnosticExplanation? {
        let wanted = code.rawValue.uppercased()
        return all.first { $0.code.rawValue == wanted }
    }

    /// The plain-text form that `casework validate --explain CODE` prints: the code and title,
    /// the explanation wrapped to 80 columns, then the wrong and right examples, indented.
    package static func text(for explanation: DiagnosticExplanation) -> String {
        var out = "\(explanation.code) (\(explanation.severity.rawValue)): \(explanation.title)\n\n"
        out += wrap(explanation.explanation, width: 80) + "\n\n"
        out += "Wrong:\n\n" + indent(explanation.wrong) + "\n"
        out += "Right:\n\n" + indent(explanation.right)
        return out
    }

    /// The whole reference document, `docs/reference/diagnostics.md`: an index, then one section per code.
    package static func markdown() -> String {
        var out = """
            # Diagnostics reference

            <!-- Generated from Sources/CaseworkDiagnostics/DiagnosticExplanations.swift; do not edit by hand. \
            Run the tests with CASEWORK_UPDATE_GOLDEN=1 to regenerate. -->

            `casework validate` reports each problem it finds in a workflow, form or calendar file like this:

            ```
            Workflows/annual-review.yaml:16:9: error[CW0204]: transition 'hold_meeting' refers to unknown state 'reveiwing'
             16 |     to: reveiwing
                |         ^~~~~~~~~
              help: did you mean 'reviewing'?
            ```

            The first line gives the file, the line and column where the problem is, whether it is an \
            **error** (the definitions cannot be used until it is fixed) or a **warning** (they work, but \
            probably not as meant), a code, and a message. Then comes the line itself with the problem \
            underlined, often a `help:` line suggesting a fix, and sometimes `note:` lines pointing at related \
            places, such as where a name was first declared. The code never changes meaning, so you can search \
            for it. Run `casework validate --explain CW0204` to read the entry for one code in the terminal.

            Codes starting `CW00` are about the file itself and the YAML it is written in; `CW01` about the \
            keys and values a workflow, form or calendar may have; `CW02` about what the definitions mean \
            together: names that must refer to something, the shape of each workflow, and its deadlines; \
            and `CW03` about the expressions written in guards (`when:`) and in `set:`, described in \
            [the expressions reference](expressions.md). Codes starting `CW05` come from `casework test`: \
            a scenario file that names something the definitions do not hold, or an expectation that did \
            not hold when the scenario ran ([the scenarios reference](scenarios.md)).


            """
        out += "| Code | Severity | Problem |\n|---|---|---|\n"
        for entry in all {
            out += "| [\(entry.code)](#\(entry.code.rawValue.lowercased())) | \(entry.severity.rawValue) | \(entry.title) |\n"
        }
        for (heading, entries) in [("The file and its YAML", yamlLayer), ("Keys and values", structure), ("Meaning", meaning), ("Expressions", expressions), ("Scenarios", scenarios)] {
            out += "\n## \(heading)\n"
            for entry in entries {
                out += """

                    ### \(entry.code)

                    **\(entry.title)** (\(entry.severity.rawValue))

                    \(entry.explanation)

                    Wrong:

                    ```yaml
                    \(entry.wrong)
                    ```

                    Right:

                    ```yaml
                    \(entry.right)
                    ```

                    """
            }
        }
        return out
    }

    private static func indent(_ block: String) -> String {
        block.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "\n" : "    \($0)\n" }
            .joined()
    }

    private static func wrap(_ paragraph: String, width: Int) -> String {
        var lines: [String] = []
        var line = ""
        for word in paragraph.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " \(word)"
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    private static func entry(
        _ code: String, _ title: String, _ explanation: String, severity: Severity = .error, wrong: String, right: String
    ) -> DiagnosticExplanation {
        DiagnosticExplanation(
            code: DiagnosticCode(rawValue: code), severity: severity, title: title,
            explanation: explanation, wrong: wrong, right: right
        )
    }

    // MARK: The file and its YAML (CW00xx)

    private static let yamlLayer: [DiagnosticExplanation] = [
        entry(
            "CW0001", "file cannot be read",
            """
            Casework could not open or read the file, so nothing in it was checked. The message gives the \
            computer's own reason. Most often the file was moved or deleted while the check ran, it is a \
            shortcut (link) to a file that no longer exists, or your account is not allowed to read it. \
            The check reports this rather than skipping the file, so a definition you meant to check is \
            never silently left out.
            """,
            wrong: """
                # Workflows/annual-review.yaml is a link to a file that was deleted,
                # so there is nothing to read.
                """,
            right: """
                # Workflows/annual-review.yaml is an ordinary file you can open:
                workflow: annual-review
                version: 1
                title: Annual review
                """
        ),
        entry(
            "CW0002", "file too large",
            """
            Definition files are read whole, so Casework refuses a file over the size limit (8 MiB for \
            `casework validate`) before reading any of it. Real workflows and forms are a few tens of \
            kilobytes. A file this large is almost always the wrong file (an export, a log, a document \
            saved with a .yaml name) or has reference material pasted into it, which belongs in the case \
            record or a document store instead. The limit keeps one bad file from exhausting the memory of \
            the service that reads it.
            """,
            wrong: """
                workflow: annual-review
                title: Annual review
                notes: |
                  (twelve megabytes of guidance pasted from a spreadsheet)
                """,
            right: """
                workflow: annual-review
                title: Annual review
                description: Yearly review of an EHC plan; the guidance is on the intranet.
                """
        ),
        entry(
            "CW0003", "file contains a NUL byte",
            """
            A NUL byte (a byte of value zero) never belongs in a text file. It usually means the file is \
            not text at all (a Word document or a spreadsheet renamed to .yaml) or was saved as UTF-16, \
            which some Windows editors call "Unicode". Casework reads definition files only as UTF-8 text, \
            so it stops at the first NUL byte and reports where it is. Save the file again as UTF-8.
            """,
            wrong: """
                # saved as "Unicode" (UTF-16): every other byte is a NUL, shown here as ␀
                w␀o␀r␀k␀f␀l␀o␀w␀:␀ ␀a␀n␀n␀u␀a␀l␀-␀r␀e␀v␀i␀e␀w␀
                """,
            right: """
                # saved as UTF-8
                workflow: annual-review
                """
        ),
        entry(
            "CW0004", "file is not valid UTF-8",
            """
            Casework reads definition files as UTF-8, the encoding that can write every language's letters. \
            A file saved in an older encoding (often called Windows-1252, ANSI or Latin-1) stores characters \
            such as é, £ or curly quotes as bytes that are not valid UTF-8, and reading them as UTF-8 would \
            change the text without anyone noticing. The position points at the first bad byte. Save the \
            file again as UTF-8; most editors offer it under "Save with encoding".
            """,
            wrong: """
                # saved as Windows-1252: the £ below is stored as the single byte A3
                title: Top-up funding (£)
                """,
            right: """
                # saved as UTF-8: the £ is stored as the two bytes C2 A3
                title: Top-up funding (£)
                """
        ),
        entry(
            "CW0005", "invalid YAML",
            """
            The file breaks the rules of YAML, the format definitions are written in, so Casework cannot \
            tell what it says. The message repeats the YAML reader's own description, and the position is \
            where the reader gave up, which is often just after the real mistake. Common causes are an \
            unclosed bracket or quote, a tab used for indentation, a line indented differently from its \
            neighbours, a colon followed by a space inside a value that is not in quotes, and a control \
            character pasted from another program. For all but the last, a help line says what to change \
            and the caret points where the fix goes, which can be a line or two before the place the \
            reader gave up.
            """,
            wrong: """
                states:
                  requested: { initial: true
                  deciding: { title: Deciding whether to assess }
                """,
            right: """
                states:
                  requested: { initial: true }
                  deciding: { title: Deciding whether to assess }
                """
        ),
        entry(
            "CW0006", "file holds no definition",
            """
            The file is empty, or holds only comments or a bare `null`. Every file Casework reads must \
            define one workflow or one form, so an empty file is reported rather than skipped: it is \
            usually a file that was created but never filled in, or one emptied by a failed save.
            """,
            wrong: """
                # Annual review workflow: to do
                """,
            right: """
                # Annual review workflow
                workflow: annual-review
                version: 1
                title: Annual review
                """
        ),
        entry(
            "CW0007", "more than one document in a file",
            """
            YAML lets one file hold several documents separated by lines of `---`. Casework takes exactly \
            one definition per file, so that each workflow or form has one file name, one history and one \
            place to look. A second document usually means two files were pasted together; put each \
            definition in a file of its own.
            """,
            wrong: """
                workflow: annual-review
                version: 1
                ---
                form: professional-advice
                version: 1
                """,
            right: """
                # Workflows/annual-review.yaml
                workflow: annual-review
                version: 1
                # The form goes in a file of its own, Workflows/professional-advice.yaml.
                """
        ),
        entry(
            "CW0008", "file is not a mapping",
            """
            A definition file must be a mapping: lines of `key: value`, one of which is `workflow:` or \
            `form:`. This file is a list (its lines start with `-`) or a single value instead, usually \
            because the whole file was indented under a dash or is a fragment copied out of another file.
            """,
            wrong: """
                - workflow: annual-review
                  version: 1
                  title: Annual review
                """,
            right: """
                workflow: annual-review
                version: 1
                title: Annual review
                """
        ),
        entry(
            "CW0009", "key written twice",
            """
            A key appears twice in the same mapping. YAML readers disagree about which of the two values \
            counts, so a repeated key means the file says two things and only one of them would be used. \
            Casework reports the second and points at the first. It often happens when a state or a key is \
            added at the end of a long mapping and already exists higher up.
            """,
            wrong: """
                states:
                  deciding: { title: Deciding whether to assess }
                  assessing: { title: Gathering advice }
                  deciding: { final: true }
                """,
            right: """
                states:
                  deciding: { title: Deciding whether to assess }
                  assessing: { title: Gathering advice }
                  not_assessing: { final: true }
                """
        ),
        entry(
            "CW0010", "key is a list or mapping",
            """
            YAML allows a list or a mapping to be used as a key. Keys in Casework files are always plain \
            words, such as `title` or a state's name, so a key like this is always a mistake, usually a \
            stray bracket or a list that was meant to be written out one entry per line.
            """,
            wrong: """
                states:
                  [deciding, assessing]: {}
                """,
            right: """
                states:
                  deciding: {}
                  assessing: {}
                """
        ),
        entry(
            "CW0011", "unsupported YAML tag",
            """
            A tag is a word starting with `!` written before a value, such as `!include` or \
            `!!python/object`. Some programs give tags special powers, like reading another file or running \
            code. Casework accepts only YAML's standard tags (such as `!!str`), so that a definition file \
            means the same to every reader and cannot reach outside itself. Write the value out in full.
            """,
            wrong: """
                templates:
                  agreed_to_assess:
                    subject: We will carry out an EHC needs assessment
                    body: !include letters/agreed-to-assess.txt
                """,
            right: """
                templates:
                  agreed_to_assess:
                    subject: We will carry out an EHC needs assessment
                    body: |
                      We have agreed to carry out an EHC needs assessment for {{ child.first_name }}.
                """
        ),
        entry(
            "CW0012", "alias without an anchor",
            """
            YAML can name a value with an anchor (`&name`) and repeat it later with an alias (`*name`). \
            This alias names no anchor defined earlier in the same file: the name is misspelt, the anchor \
            comes after the alias, or the anchor is in another file (anchors never reach across files).
            """,
            wrong: """
                roles: &staff [caseworker, send_manager]
                transitions:
                  - name: agree_to_assess
                    by: *stafff
                """,
            right: """
                roles: &staff [caseworker, send_manager]
                transitions:
                  - name: agree_to_assess
                    by: *staff
                """
        ),
        entry(
            "CW0013", "nesting too deep",
            """
            Lists and mappings may sit inside one another at most 64 levels deep. Real definitions use \
            fewer than ten. Deeper nesting means a runaway run of brackets, or a file made to exhaust the \
            reader's memory, so Casework stops reading at the limit.
            """,
            wrong: """
                fields:
                  child: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
                """,
            right: """
                fields:
                  child:
                    first_name: string
                    born_on: date
                """
        ),
        entry(
            "CW0014", "value too large",
            """
            A single value, such as a template body, may be at most 256 KiB long. A real letter template \
            is a few kilobytes. A larger value is usually a document or a file pasted in whole, which \
            belongs in a document store with a link from the letter, not in a definition.
            """,
            wrong: """
                templates:
                  plan_issued:
                    subject: Final EHC plan for {{ child.first_name }}
                    body: |
                      (the whole 300-page local offer pasted here)
                """,
            right: """
                templates:
                  plan_issued:
                    subject: Final EHC plan for {{ child.first_name }}
                    body: |
                      The final plan is attached. The local offer is on the council's website.
                """
        ),
        entry(
            "CW0015", "too many values once aliases are expanded",
            """
            Each alias (`*name`) repeats the whole value its anchor names, so a few lines of aliases that \
            repeat other aliases can stand for billions of values (an attack known as "billion laughs"). \
            Casework counts every value an alias repeats and stops at one million. A real definition has a \
            few thousand values; use fewer aliases, or write the values out.
            """,
            wrong: """
                a: &a [x, x, x, x, x, x, x, x, x, x]
                b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
                e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
                f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
                g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
                """,
            right: """
                roles: &advisers [educational_psychology, health, social_care]
                """
        ),
        entry(
            "CW0016", "too many aliases",
            """
            A file may use at most 1,000 aliases (`*name`). Aliases save repeating a list in a handful of \
            places; a thousand of them means a generated or hostile file, and each one costs work to \
            expand, so Casework stops reading at the limit.
            """,
            wrong: """
                roles: &staff [caseworker]
                transitions:
                  - { name: step_1, from: s1, to: s2, by: *staff }
                  - { name: step_2, from: s2, to: s3, by: *staff }
                  # ... and so on, for more than 1,000 transitions
                """,
            right: """
                roles: [caseworker]
                transitions:
                  - { name: step_1, from: s1, to: s2, by: caseworker }
                  - { name: step_2, from: s2, to: s3, by: caseworker }
                """
        ),
        entry(
            "CW0017", "too much text once aliases are expanded",
            """
            Each alias (`*name`) repeats the whole value its anchor names, text and all, so a long value \
            repeated by aliases that repeat other aliases can stand for gigabytes of text while staying \
            under the limit on values (CW0015). Casework counts the bytes of every value and key an alias \
            repeats and stops at 16 MiB, twice the largest file it reads. A real definition repeats a \
            short list in a few places; use fewer aliases, or write the long value once.
            """,
            wrong: """
                letter: &letter "We are writing to tell you that the council has decided to carry out an EHC needs assessment."
                b: &b [*letter, *letter, *letter, *letter, *letter, *letter, *letter, *letter, *letter, *letter]
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
                e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
                f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
                g: [*f, *f]
                """,
            right: """
                templates:
                  decided: { subject: "Assessment", body: "We are writing to tell you that the council has decided to carry out an EHC needs assessment." }
                """
        ),
    ]

    // MARK: Keys and values (CW01xx)

    private static let structure: [DiagnosticExplanation] = [
        entry(
            "CW0100", "file is not a workflow, form, policy or calendar",
            """
            Casework tells what a file defines from its keys: a workflow file has a `workflow:` key giving \
            the workflow's id, a form file a `form:` key giving the form's id, an access policy a `policy:` \
            key giving the policy's id, and a calendar file a `calendar:` key giving the calendar's id. This \
            file has none of them, usually because the key is misspelt, or because the file is not a \
            definition at all (notes, or a scenario whose name does not end in `.test.yaml`).
            """,
            wrong: """
                workfow: annual-review
                version: 1
                """,
            right: """
                workflow: annual-review
                version: 1
                """
        ),
        entry(
            "CW0101", "unknown key",
            """
            Each mapping takes a fixed set of keys: a state, for example, takes `title`, `description`, \
            `initial` and `final`. A key outside the set is reported, not ignored, because an ignored key \
            is a silent mistake: `intial: true` would otherwise leave the workflow without a starting \
            state and nobody would know why. The help suggests the nearest allowed key, or lists them all.
            """,
            wrong: """
                states:
                  requested: { intial: true, title: Request received }
                """,
            right: """
                states:
                  requested: { initial: true, title: Request received }
                """
        ),
        entry(
            "CW0102", "required key missing",
            """
            Some keys must always be written. A workflow needs `workflow`, `version`, `title`, `roles`, \
            `states` and `transitions`; a form needs `form`, `version`, `title`, `due`, `shared_with`, \
            `accepted_by` and `fields`; a transition needs `name`, `from`, `by`, and `to` (or `stays: true` for a \
            step that leaves the case in its state); a template needs \
            `subject` and `body`; a `notify` entry needs `to` and `template`; a `start_forms` entry needs \
            `form` and `for`. Casework has no defaults for these, because a guessed value (who may act, \
            where a case goes next) would be a policy decision made by accident.
            """,
            wrong: """
                transitions:
                  - name: agree_to_assess
                    from: deciding
                    to: assessing
                """,
            right: """
                transitions:
                  - name: agree_to_assess
                    from: deciding
                    to: assessing
                    by: [caseworker]
                """
        ),
        entry(
            "CW0103", "value of the wrong shape",
            """
            Each key expects a particular shape of value: a word or a sentence, `true` or `false`, a list \
            (lines starting with `-`, or `[a, b]`) or a mapping (indented `key: value` lines, or \
            `{ a: b }`). The value written has another shape, often because of indentation, a missing \
            colon, or a list written where a mapping was expected. Note that `yes` and `no` are not \
            `true` and `false` in Casework files.
            """,
            wrong: """
                states:
                  - requested
                  - deciding
                """,
            right: """
                states:
                  requested: { initial: true }
                  deciding: {}
                """
        ),
        entry(
            "CW0104", "name breaks the naming rule",
            """
            Names are used in references between files, in stored cases and in links, so they follow a \
            strict spelling. Workflow and form ids are lower-case words joined by hyphens \
            (`ehcp-needs-assessment`). States, transitions, fields, templates, roles and choices are \
            lower-case letters, digits and underscores, starting with a letter (`agree_to_assess`). A fixed \
            spelling means a name can be typed, searched for and compared without doubts about capitals or \
            spaces. Put the words people read in `title` instead.
            """,
            wrong: """
                states:
                  Deciding Whether To Assess: {}
                """,
            right: """
                states:
                  deciding: { title: Deciding whether to assess }
                """
        ),
        entry(
            "CW0105", "invalid version",
            """
            Every definition has a version: a whole number, starting at 1, that you raise by one whenever \
            the content changes. A case remembers the version it started on, so the version must be a plain \
            number: not `1.2`, not `v1`, not `0`, and not in quotes.
            """,
            wrong: """
                workflow: annual-review
                version: 1.2
                """,
            right: """
                workflow: annual-review
                version: 2
                """
        ),
        entry(
            "CW0106", "invalid duration",
            """
            Durations are written in words, as a whole number and a unit: days, weeks, months, years or \
            working days (`6 weeks`, `15 working days`, `1 month`). Working days follow the workflow's \
            calendar, skipping weekends and bank holidays; the other units are calendar time, which is how \
            the SEND Regulations count most time limits. The number must be written in digits, from 1 to \
            10000.
            """,
            wrong: """
                form: professional-advice
                due: six weeks
                """,
            right: """
                form: professional-advice
                due: 6 weeks
                """
        ),
        entry(
            "CW0107", "unknown field type",
            """
            Every field has a type, so that Casework can check the templates and conditions that use it. \
            The types are `bool`, `int`, `decimal`, `string`, `text`, `date`, `datetime`, a choice \
            (`{ one_of: [a, b] }`), a list (`{ list: date }`) and a group of fields written as a nested \
            mapping. Type names are lower-case.
            """,
            wrong: """
                fields:
                  requested_on: Date
                  requested_by: [parent, school]
                """,
            right: """
                fields:
                  requested_on: date
                  requested_by: { one_of: [parent, school] }
                """
        ),
        entry(
            "CW0108", "empty list",
            """
            Some lists must name at least one thing: a workflow's `roles` and `states`, a transition's \
            `from` and `by`, a form's `shared_with` and `accepted_by`, the roles in `for` and `to`, a \
            field's `one_of` choices, a deadline's `until` and the roles its `on_breach` notifies, and a \
            calendar's `working_days`. An empty list there would make the definition unusable (a \
            transition nobody may fire, a form nobody may accept, a clock nothing stops), so it is \
            reported at once.
            """,
            wrong: """
                transitions:
                  - name: agree_to_assess
                    from: deciding
                    to: assessing
                    by: []
                """,
            right: """
                transitions:
                  - name: agree_to_assess
                    from: deciding
                    to: assessing
                    by: [caseworker]
                """
        ),
        entry(
            "CW0109", "entry listed twice",
            """
            A list of names repeats one of them. The repeat adds nothing, so it is usually a slip for \
            another name: two `health` entries where one should have been `social_care`.
            """,
            wrong: """
                start_forms:
                  - form: professional-advice
                    for: [educational_psychology, health, health]
                """,
            right: """
                start_forms:
                  - form: professional-advice
                    for: [educational_psychology, health, social_care]
                """
        ),
        entry(
            "CW0110", "calendar rule cannot be used",
            """
            A calendar file describes working days and bank holidays as rules, so that it works for any \
            year. One of its rules cannot be used as written: a day that is not `MM-DD` (or `YYYY-MM-DD` for \
            a one-off change), a weekday that is not `monday` to `sunday`, an `nth` that is not 1 to 5 or \
            `last`, a `month` that is not 1 to 12, an `easter` offset outside -60 to 60, a holiday with none or more than one of `date`, \
            `easter` and `weekday`, `substitute` on a holiday that is not a fixed date, a change that \
            `replaces` a holiday the calendar does not have, or a roll rule whose `when` or `move_to` is \
            not one of the forms allowed. A wrong rule would put a bank holiday on the wrong day every \
            year and throw out every time limit counted in working days, so the message says which rule \
            it is and what was found.
            """,
            wrong: """
                calendar: england-and-wales
                holidays:
                  - { name: Christmas Day, date: 25-12, substitute: true }
                  - { name: Spring bank holiday, weekday: { nth: final, day: monday, month: 5 } }
                """,
            right: """
                calendar: england-and-wales
                holidays:
                  - { name: Christmas Day, date: 12-25, substitute: true }
                  - { name: Spring bank holiday, weekday: { nth: last, day: monday, month: 5 } }
                """
        ),
        entry(
            "CW0111", "document type that is not a media type",
            """
            A document kind's `types:` is the allow-list of media types a version may be stored as; anything \
            else is refused before a byte is written. Each entry must be a media type as RFC 6838 names \
            them, `type/subtype` in lower case without parameters, because the type given with a file is \
            compared with the list exactly: a file extension or a capitalised type would match nothing, and \
            every document of the kind would be refused.
            """,
            wrong: """
                documents:
                  decision_letter: { title: Decision letter, types: [pdf] }
                """,
            right: """
                documents:
                  decision_letter: { title: Decision letter, types: [application/pdf] }
                """
        ),
        entry(
            "CW0112", "document size that cannot be used",
            """
            A document kind's `max_bytes` is the largest a version may be, all its parts together, checked \
            before anything is written. It is a whole number of bytes, or a number of `KB` (1,024 bytes) or \
            `MB` (1,048,576 bytes), from 1 byte up to 100 MB, so that every version fits one database row. \
            A kind without `max_bytes` takes 10 MB.
            """,
            wrong: """
                documents:
                  draft_plan: { title: Draft EHC plan, types: [application/pdf], max_bytes: 10 megabytes }
                """,
            right: """
                documents:
                  draft_plan: { title: Draft EHC plan, types: [application/pdf], max_bytes: 10 MB }
                """
        ),
    ]

    // MARK: Meaning (CW02xx)

    private static let meaning: [DiagnosticExplanation] = [
        entry(
            "CW0200", "id used by two definitions",
            """
            Each workflow, form and calendar id must be unique among all the files checked together, \
            because cases, workflows that start forms or count on calendars, and stored history all find a \
            definition by its id. Two files with \
            the same id usually means a file was copied to start a new definition and its id was not \
            changed. The note points at the other file.
            """,
            wrong: """
                # Workflows/annual-review-early-years.yaml, copied from annual-review.yaml
                workflow: annual-review
                title: Annual review (early years)
                """,
            right: """
                # Workflows/annual-review-early-years.yaml
                workflow: annual-review-early-years
                title: Annual review (early years)
                """
        ),
        entry(
            "CW0201", "transition name used twice",
            """
            Transitions are fired by name (from a case-management screen, a service or a scenario test) \
            and recorded by name in each case's history, so every transition in a workflow needs a name of \
            its own. When the same step can be taken from several states, list them all in one \
            transition's `from` instead of writing the transition twice.
            """,
            wrong: """
                transitions:
                  - { name: withdraw, from: requested, to: withdrawn, by: parent }
                  - { name: withdraw, from: deciding, to: withdrawn, by: parent }
                """,
            right: """
                transitions:
                  - { name: withdraw, from: [requested, deciding], to: withdrawn, by: parent }
                """
        ),
        entry(
            "CW0202", "no initial state",
            """
            Every new case starts in the state marked `initial: true`, and no state in this workflow is \
            marked. Casework never takes the first state listed instead, because then reordering the \
            lines of a file would silently change where cases start.
            """,
            wrong: """
                states:
                  requested: { title: Request received }
                  deciding: { title: Deciding whether to assess }
                """,
            right: """
                states:
                  requested: { title: Request received, initial: true }
                  deciding: { title: Deciding whether to assess }
                """
        ),
        entry(
            "CW0203", "more than one initial state",
            """
            A case starts in exactly one state, so only one state may be marked `initial: true`. If cases \
            can begin in different ways (a request from a parent, or from a school), start them all in one \
            state and record the difference in a field, such as `requested_by`.
            """,
            wrong: """
                states:
                  requested_by_parent: { initial: true }
                  requested_by_school: { initial: true }
                """,
            right: """
                fields:
                  requested_by: { one_of: [parent, school] }
                states:
                  requested: { initial: true }
                """
        ),
        entry(
            "CW0204", "unknown state",
            """
            A transition's `from` or `to` names a state that is not declared under `states`. Casework \
            never creates a state because something refers to it: a typo would otherwise become a new \
            state that cases could enter and never leave. The help suggests the nearest declared name.
            """,
            wrong: """
                states:
                  deciding: {}
                  assessing: {}
                transitions:
                  - { name: agree_to_assess, from: deciding, to: asessing, by: caseworker }
                """,
            right: """
                states:
                  deciding: {}
                  assessing: {}
                transitions:
                  - { name: agree_to_assess, from: deciding, to: assessing, by: caseworker }
                """
        ),
        entry(
            "CW0205", "unknown role",
            """
            Every role named in a transition's `by`, in a notification's `to` or in a form's `for` must be \
            declared in the workflow's `roles`. Roles decide who may act on a case and who is told about \
            it, so a role that is not declared (usually a misspelling) is reported rather than treated as \
            a new role that nobody holds.
            """,
            wrong: """
                roles: [caseworker, parent]
                transitions:
                  - { name: agree_to_assess, from: deciding, to: assessing, by: case_worker }
                """,
            right: """
                roles: [caseworker, parent]
                transitions:
                  - { name: agree_to_assess, from: deciding, to: assessing, by: caseworker }
                """
        ),
        entry(
            "CW0206", "unknown template",
            """
            A `notify` entry names a template that is not declared under `templates` in the same \
            workflow. Without the template there is no letter or email to send, so the notification could \
            never go out.
            """,
            wrong: """
                notify:
                  - { to: [parent], template: agreed_to_asess }
                templates:
                  agreed_to_assess: { subject: Assessment agreed, body: We will assess. }
                """,
            right: """
                notify:
                  - { to: [parent], template: agreed_to_assess }
                templates:
                  agreed_to_assess: { subject: Assessment agreed, body: We will assess. }
                """
        ),
        entry(
            "CW0207", "unknown form",
            """
            A `start_forms` entry names a form that is not among the files checked. Forms are defined in \
            files of their own (starting `form:`) and found by id, so check the spelling, and check that \
            the form's file is among those being validated: when you check a single workflow file, name \
            the form's file too.
            """,
            wrong: """
                # Workflows/professional-advice.yaml says 'form: professional-advice'.
                start_forms:
                  - { form: profesional-advice, for: [health] }
                """,
            right: """
                # Workflows/professional-advice.yaml says 'form: professional-advice'.
                start_forms:
                  - { form: professional-advice, for: [health] }
                """
        ),
        entry(
            "CW0208", "unknown field in a template",
            """
            A template placeholder (`{{ ... }}`) names a field the workflow does not declare. Placeholders \
            are filled in from the case's fields when the message is sent, so an unknown one would leave a \
            gap in a letter to a family. Besides the workflow's fields, templates may use `case.id`, \
            `case.state`, `case.state_title`, `workflow.title`, and `deadlines.NAME.due_on`, the due date of \
            a clock the workflow declares. Fields inside a group are written with dots, as in \
            `child.first_name`.
            """,
            wrong: """
                fields:
                  child: { first_name: string }
                templates:
                  agreed_to_assess:
                    subject: Assessment agreed for {{ child.firstname }}
                    body: We will carry out an EHC needs assessment.
                """,
            right: """
                fields:
                  child: { first_name: string }
                templates:
                  agreed_to_assess:
                    subject: Assessment agreed for {{ child.first_name }}
                    body: We will carry out an EHC needs assessment.
                """
        ),
        entry(
            "CW0209", "unreachable state",
            """
            No chain of transitions leads from the initial state to this state, so no case can ever be in \
            it. Usually a transition into it is missing, or names another state by mistake; sometimes the \
            state is left over from an earlier version of the process and can be removed.
            """,
            wrong: """
                states:
                  requested: { initial: true }
                  mediation: {}
                  closed: { final: true }
                transitions:
                  - { name: close, from: [requested, mediation], to: closed, by: caseworker }
                """,
            right: """
                states:
                  requested: { initial: true }
                  mediation: {}
                  closed: { final: true }
                transitions:
                  - { name: refer_to_mediation, from: requested, to: mediation, by: caseworker }
                  - { name: close, from: [requested, mediation], to: closed, by: caseworker }
                """
        ),
        entry(
            "CW0210", "no way to finish from this state",
            """
            From this state no chain of transitions reaches a final state, so a case that enters it can \
            never be closed: it would stay open, with its deadlines running, for ever. Add the missing \
            transition onwards, or mark the state `final: true` if cases really end there. A state that \
            cannot be reached at all is reported as CW0209 instead.
            """,
            wrong: """
                states:
                  requested: { initial: true }
                  on_hold: {}
                  closed: { final: true }
                transitions:
                  - { name: pause, from: requested, to: on_hold, by: caseworker }
                  - { name: close, from: requested, to: closed, by: caseworker }
                """,
            right: """
                states:
                  requested: { initial: true }
                  on_hold: {}
                  closed: { final: true }
                transitions:
                  - { name: pause, from: requested, to: on_hold, by: caseworker }
                  - { name: close, from: [requested, on_hold], to: closed, by: caseworker }
                """
        ),
        entry(
            "CW0211", "transition leaves a final state",
            """
            A final state is where a case ends: a plan issued and the case closed, a decision not to \
            assess with the family told of their right to appeal. A transition out of it contradicts \
            that. If cases can in fact carry on from there (a decision changed after mediation), the \
            state is not final: remove `final: true` from it, and make sure another state is final.
            """,
            wrong: """
                states:
                  deciding: {}
                  not_assessing: { final: true }
                transitions:
                  - { name: reconsider, from: not_assessing, to: deciding, by: caseworker }
                """,
            right: """
                states:
                  deciding: {}
                  not_assessing: {}
                  closed: { final: true }
                transitions:
                  - { name: reconsider, from: not_assessing, to: deciding, by: caseworker }
                  - { name: close, from: not_assessing, to: closed, by: caseworker }
                """
        ),
        entry(
            "CW0212", "form started for a role it is not shared with",
            """
            A form lists, under `shared_with`, the organisations whose generic accounts may receive it. \
            Here a transition's `start_forms` asks for an instance for a role outside that list, so the \
            organisation would be sent a form it may not open. Add the role to the form's `shared_with`, \
            or start the form for another role. The note points at the form.
            """,
            wrong: """
                # Workflows/professional-advice.yaml says 'shared_with: [educational_psychology, health]'.
                start_forms:
                  - { form: professional-advice, for: [health, social_care] }
                """,
            right: """
                # Workflows/professional-advice.yaml says
                # 'shared_with: [educational_psychology, health, social_care]'.
                start_forms:
                  - { form: professional-advice, for: [health, social_care] }
                """
        ),
        entry(
            "CW0213", "unused template",
            """
            A template is declared, but no `notify` entry uses it and no `messages:` names it. This is a warning, not an error: the \
            workflow still works, but the letter or email will never be sent, which usually means a \
            notification was forgotten or names a different template.
            """,
            severity: .warning,
            wrong: """
                transitions:
                  - { name: agree_to_assess, from: deciding, to: assessing, by: caseworker }
                templates:
                  agreed_to_assess: { subject: Assessment agreed, body: We will assess. }
                """,
            right: """
                transitions:
                  - name: agree_to_assess
                    from: deciding
                    to: assessing
                    by: caseworker
                    notify: [{ to: [parent], template: agreed_to_assess }]
                templates:
                  agreed_to_assess: { subject: Assessment agreed, body: We will assess. }
                """
        ),
        entry(
            "CW0214", "no final state",
            """
            A workflow needs at least one state marked `final: true`, where cases end: a plan issued, a \
            decision not to assess, a request withdrawn. Without one, no case could ever be closed.
            """,
            wrong: """
                states:
                  requested: { initial: true }
                  plan_issued: {}
                """,
            right: """
                states:
                  requested: { initial: true }
                  plan_issued: { final: true }
                """
        ),
        entry(
            "CW0215", "malformed placeholder",
            """
            Placeholders are written `{{ field_name }}`: two braces on each side, and inside them a field \
            name or a dotted path such as `child.first_name`. This one is not closed, is empty, or holds \
            something other than a name (spaces or capitals inside the name, or a calculation).
            """,
            wrong: """
                templates:
                  agreed_to_assess:
                    subject: Assessment agreed for {{ child.first_name }
                    body: We will carry out an EHC needs assessment.
                """,
            right: """
                templates:
                  agreed_to_assess:
                    subject: Assessment agreed for {{ child.first_name }}
                    body: We will carry out an EHC needs assessment.
                """
        ),
        entry(
            "CW0216", "form names a role the workflow does not have",
            """
            A form lists, under `accepted_by`, the roles that may accept or reject a submission. Each \
            workflow that starts the form must declare those roles in its own `roles`, or nobody on the \
            case could ever accept the form, and the case would wait on it for ever. The note points at \
            the workflow that starts the form.
            """,
            wrong: """
                # The workflow that starts this form says 'roles: [caseworker, parent]'.
                form: professional-advice
                accepted_by: [send_officer]
                """,
            right: """
                # The workflow that starts this form says 'roles: [caseworker, parent]'.
                form: professional-advice
                accepted_by: [caseworker]
                """
        ),
        entry(
            "CW0217", "initial state is also final",
            """
            A state marked both `initial: true` and `final: true` means every new case is closed the \
            moment it opens, so no transition could ever be fired. Usually one of the two marks was copied \
            onto the wrong state.
            """,
            wrong: """
                states:
                  requested: { initial: true, final: true }
                  closed: {}
                """,
            right: """
                states:
                  requested: { initial: true }
                  closed: { final: true }
                """
        ),
        entry(
            "CW0218", "unknown calendar",
            """
            A workflow's `calendar`, a deadline's `calendar` or a calendar's `extends` names a calendar \
            that is not among the files checked. Calendars are files of their own, starting `calendar:` \
            (the shipped ones are in `Workflows/calendars/`), and are found by id. Without the calendar \
            Casework cannot tell which days are bank holidays, so every time limit counted in working days \
            could come out wrong. Check the spelling, and when you check a single workflow file, name the \
            calendar's file too.
            """,
            wrong: """
                # Workflows/calendars/england-and-wales.yaml says 'calendar: england-and-wales'.
                workflow: ehcp-needs-assessment
                calendar: england-wales
                """,
            right: """
                # Workflows/calendars/england-and-wales.yaml says 'calendar: england-and-wales'.
                workflow: ehcp-needs-assessment
                calendar: england-and-wales
                """
        ),
        entry(
            "CW0219", "calendars extend each other in a circle",
            """
            A calendar may extend another: it takes that calendar's working days, bank holidays, one-off \
            changes and roll rules, and adds its own. When calendar A extends B and B extends A, or a \
            longer chain comes back to where it started, there is nowhere to start, so no holidays can be \
            worked out. Each calendar in the circle is reported. Usually one `extends` names the wrong \
            calendar: a general calendar such as `england-and-wales` extends nothing, and special ones \
            such as `send-tribunal` extend it.
            """,
            wrong: """
                # Workflows/calendars/send-tribunal.yaml says 'extends: england-and-wales'.
                calendar: england-and-wales
                version: 1
                title: England and Wales
                extends: send-tribunal
                """,
            right: """
                # Workflows/calendars/send-tribunal.yaml says 'extends: england-and-wales'.
                calendar: england-and-wales
                version: 1
                title: England and Wales
                """
        ),
        entry(
            "CW0220", "deadline starts from a field that is not a date",
            """
            A deadline's `from` may name a field, and then the clock starts on the date that field holds, \
            as soon as it is set. So the field must be declared with type `date`: a date and time, a \
            number, a piece of text or a group of fields cannot start a clock. To start the clock when \
            something happens to the case rather than on a recorded date, write `{ entered: STATE }` or \
            `{ fired: TRANSITION }` instead.
            """,
            wrong: """
                fields:
                  requested_on: string
                deadlines:
                  - { name: decide_whether_to_assess, from: requested_on, due: 6 weeks, until: [gathering_advice] }
                """,
            right: """
                fields:
                  requested_on: date
                deadlines:
                  - { name: decide_whether_to_assess, from: requested_on, due: 6 weeks, until: [gathering_advice] }
                """
        ),
        entry(
            "CW0221", "unknown field",
            """
            A deadline's `from`, or a transition's `input` or `set`, names a field the workflow does not \
            declare under `fields`. Casework never creates a field because something refers to it: a \
            misspelt name would otherwise be a clock that never starts, an answer nobody can give, or a \
            value recorded where nothing reads it. Fields inside a group are written with dots, as in \
            `child.date_of_birth`. The help suggests the nearest declared name.
            """,
            wrong: """
                fields:
                  assessment_decision_on: date
                transitions:
                  - name: agree_to_assess
                    from: deciding_to_assess
                    to: gathering_advice
                    by: send_manager
                    input: { assesment_decision_on: required }
                """,
            right: """
                fields:
                  assessment_decision_on: date
                transitions:
                  - name: agree_to_assess
                    from: deciding_to_assess
                    to: gathering_advice
                    by: send_manager
                    input: { assessment_decision_on: required }
                """
        ),
        entry(
            "CW0222", "reminder that never comes while the deadline runs",
            """
            A reminder tells the people who can meet a deadline that it is coming, so it must fall while \
            the clock runs, between the start and the due date. A reminder written `after` would come once \
            the deadline has already been missed; who is told of a missed deadline is set by `on_breach` \
            instead. A reminder `before` the due date by longer than the deadline lasts, such as \
            `8 weeks before` a deadline due in 6 weeks, would come before the clock has started. Reminders \
            are counted back from the due date on the deadline's calendar.
            """,
            wrong: """
                deadlines:
                  - name: decide_whether_to_assess
                    from: requested_on
                    due: 6 weeks
                    until: [gathering_advice, not_assessing]
                    remind: [1 week after, 8 weeks before]
                """,
            right: """
                deadlines:
                  - name: decide_whether_to_assess
                    from: requested_on
                    due: 6 weeks
                    until: [gathering_advice, not_assessing]
                    remind: [2 weeks before, 1 week before]
                    on_breach: { notify: [send_manager] }
                """
        ),
        entry(
            "CW0223", "unknown transition",
            """
            A deadline whose clock starts when a transition fires (`from: { fired: NAME }`) names a \
            transition the workflow does not declare. A clock tied to a transition that does not exist \
            would never start, and the time limit would pass with nobody reminded and no breach recorded. \
            The help suggests the nearest declared name.
            """,
            wrong: """
                transitions:
                  - { name: issue_draft_plan, from: drafting_plan, to: draft_issued, by: caseworker }
                deadlines:
                  - { name: representations, from: { fired: issue_draft }, due: 15 days, until: [finalising_plan] }
                """,
            right: """
                transitions:
                  - { name: issue_draft_plan, from: drafting_plan, to: draft_issued, by: caseworker }
                deadlines:
                  - { name: representations, from: { fired: issue_draft_plan }, due: 15 days, until: [finalising_plan] }
                """
        ),
        entry(
            "CW0224", "deadline name used twice",
            """
            Each deadline in a workflow needs a name of its own, because a case keeps its clocks by name, \
            and pausing, resuming or excusing a clock names it too. Two deadlines with one name could not \
            be told apart, and only one of them would ever run on a case. Usually a deadline was copied to \
            make a new one and its name was not changed. The note points at the first.
            """,
            wrong: """
                deadlines:
                  - { name: final_plan, from: requested_on, due: 20 weeks, until: [plan_issued] }
                  - { name: final_plan, from: { fired: issue_draft_plan }, due: 15 days, until: [finalising_plan] }
                """,
            right: """
                deadlines:
                  - { name: final_plan, from: requested_on, due: 20 weeks, until: [plan_issued] }
                  - { name: representations, from: { fired: issue_draft_plan }, due: 15 days, until: [finalising_plan] }
                """
        ),
        entry(
            "CW0225", "unknown resource or section in a policy",
            """
            A policy rule's `on` and `redact` lists name the parts of a case the rule is about: a resource \
            declared under `resources`, or a resource and one of its sections joined with a dot, such as \
            `ehcp.K`. A name that is not declared would make the rule protect or withhold nothing, so a \
            typo could show a parent the very section the service meant to withhold. The help suggests the \
            nearest declared name.
            """,
            wrong: """
                resources:
                  ehcp: [A, B, K]
                rules:
                  - { id: limited-access, allow: [view], on: [ehcp], when: grant.level == "limited", redact: [ehcp.k] }
                """,
            right: """
                resources:
                  ehcp: [A, B, K]
                rules:
                  - { id: limited-access, allow: [view], on: [ehcp], when: grant.level == "limited", redact: [ehcp.K] }
                """
        ),
        entry(
            "CW0226", "unknown action in a policy",
            """
            A rule allows or denies actions: the built-in `view`, `comment`, `submit` and `edit`, `all` for \
            every action, and any the policy declares under `actions`. A misspelt action matches no request, \
            so an allow would quietly give nothing and, worse, a deny would quietly stop nothing.
            """,
            wrong: """
                rules:
                  - { id: no-second-factor-no-access, deny: [veiw], when: not actor.second_factor_verified }
                """,
            right: """
                rules:
                  - { id: no-second-factor-no-access, deny: [all], when: not actor.second_factor_verified }
                """
        ),
        entry(
            "CW0227", "rule id used twice",
            """
            Every decision names the rules that made it, so each rule needs an id of its own. Two rules \
            with one id would make a decision's explanation ambiguous for the family and for anyone \
            auditing it. The note points at the first.
            """,
            wrong: """
                rules:
                  - { id: limited-access, allow: [view], on: [case.state], when: grant.level == "limited" }
                  - { id: limited-access, allow: [view], on: [ehcp], when: grant.level == "limited" }
                """,
            right: """
                rules:
                  - { id: limited-access, allow: [view], on: [case.state], when: grant.level == "limited" }
                  - { id: limited-access-plan, allow: [view], on: [ehcp], when: grant.level == "limited" }
                """
        ),
        entry(
            "CW0228", "policy rule that can never match",
            """
            A warning: the rule can never change a decision. Either its condition is always false, or it \
            allows actions on resources that a deny with no condition already refuses to everyone, and a \
            deny always beats an allow. The policy still works, but the rule is dead weight and probably \
            not what its author meant.
            """,
            severity: .warning,
            wrong: """
                rules:
                  - { id: read-only-service, deny: [edit] }
                  - { id: caseworkers-edit, allow: [edit], when: actor.relationship == "caseworker" }
                """,
            right: """
                rules:
                  - { id: read-only-for-families, deny: [edit], when: actor.relationship != "caseworker" }
                  - { id: caseworkers-edit, allow: [edit], when: actor.relationship == "caseworker" }
                """
        ),
        entry(
            "CW0229", "a case field in a notification subject",
            """
            A warning: the subject of a notification shows a case field. Subjects appear in inbox lists, \
            on lock screens and in email previews, where anyone nearby can read them, so the portals keep \
            child and family details out of them (EHC Hub users asked for exactly that). Keep subjects to \
            the case reference, the state and the workflow's title, and put the details in the body, \
            which the recipient opens after signing in.
            """,
            severity: .warning,
            wrong: """
                templates:
                  agreed:
                    subject: "We will assess {{ child.first_name }}"
                    body: "We have agreed to carry out an EHC needs assessment."
                """,
            right: """
                templates:
                  agreed:
                    subject: "Decision on your request (case {{ case.id }})"
                    body: "We have agreed to carry out an EHC needs assessment for {{ child.first_name }}."
                """
        ),
        entry(
            "CW0230", "unknown access policy",
            """
            A workflow's `policy` names the access policy that must allow every action on its cases, as \
            well as the workflow's own `by:` roles. The name must be a policy file in the same set; a \
            misspelt name would leave the cases with no access rules at all, so it is an error, not a \
            silent fallback. The help suggests the nearest policy.
            """,
            wrong: """
                workflow: ehcp-needs-assessment
                policy: send-portl
                """,
            right: """
                workflow: ehcp-needs-assessment
                policy: send-portal
                """
        ),
        entry(
            "CW0231", "workflow names no access policy",
            """
            When the checked set holds an access policy, every workflow must say which policy governs its \
            cases with `policy: NAME`, or say `policy: none` to run on its `by:` roles alone. Without the \
            rule, forgetting one line would let a workflow's cases be read and changed by anyone holding a \
            role, with no grant and no second factor: there is one door to a case, and a workflow may only \
            leave it open on purpose. A set without any policy needs no `policy:` key. The help names the \
            set's policies.
            """,
            wrong: """
                workflow: annual-review
                version: 1
                title: Annual review of an EHC plan
                roles: [parent, caseworker]
                """,
            right: """
                workflow: annual-review
                version: 1
                title: Annual review of an EHC plan
                policy: send-portal
                roles: [parent, caseworker]
                """
        ),
        entry(
            "CW0232", "workflow runs without an access policy",
            """
            A warning: the workflow says `policy: none` although the set holds an access policy. That is \
            allowed, for a workflow that is deliberately run on its `by:` roles alone (a staff-only \
            process, say), but then nothing checks who may see or change its cases beyond those roles: \
            no grants, no second factor, no withheld details in its notifications. Bind it to the \
            policy unless that is what you mean.
            """,
            severity: .warning,
            wrong: """
                workflow: tribunal-appeal
                policy: none
                roles: [parent, caseworker, mediation_service]
                """,
            right: """
                workflow: tribunal-appeal
                policy: send-portal
                roles: [parent, caseworker, mediation_service]
                """
        ),
        entry(
            "CW0233", "field read but never set",
            """
            A warning: a guard, a `set:` value, a template, a deadline's `from` or a `grant:` reads a field \
            that nothing can ever give a value. A transition takes only the fields its `input:` lists, and \
            a case is opened with only the fields of the workflow's own `input:`, so a field in neither and \
            in no `set:` stays unset for ever: a guard that needs it never holds, a deadline that starts \
            from it never starts, a letter shows it empty. Declare it in the `input:` of the transition \
            that records it, or work it out with `set:`. The check runs only for a workflow that declares \
            its opening `input:`; without one a case may be opened with any field.
            """,
            severity: .warning,
            wrong: """
                input: { requested_on: required }
                transitions:
                  - name: agree_to_assess
                    from: deciding
                    to: assessing
                    by: send_manager
                    when: has(assessment_decision_on)
                """,
            right: """
                input: { requested_on: required }
                transitions:
                  - name: agree_to_assess
                    from: deciding
                    to: assessing
                    by: send_manager
                    input: { assessment_decision_on: required }
                """
        ),
        entry(
            "CW0234", "reserved name in a policy",
            """
            The engine gives some names their own meaning, and a policy may not declare them again. \
            `actor.id`, `actor.role` and `actor.organisation` come from who is acting (the organisation \
            from `ROLE@ORG`), never from attributes the caller gives, so an attribute with one of those \
            names could let a caller claim to act for an organisation. The built-in actions (`view`, \
            `comment`, `submit`, `edit`, `open`, `grant`) are always known, and `all` in a rule means every \
            action, so declaring any of them in `actions:` says nothing or something else.
            """,
            wrong: """
                actor:
                  organisation: string
                actions: [view, countersign]
                """,
            right: """
                actor:
                  employer: string
                actions: [countersign]
                """
        ),
        entry(
            "CW0235", "redaction of a section that hides nothing",
            """
            A warning: a rule redacts a section of `case` that stands for no field any workflow declares, \
            so it withholds nothing, however sure its author was that it keeps something back. A section \
            other than `state`, `deadlines` and `fields` (such as `address`) stands for the fields \
            `section_fields` maps it to, or without a mapping for the field of the same name and \
            everything under it; if the workflows keep the address as `child.address`, `case.address` \
            alone reaches nothing. Map the section to the fields it means.
            """,
            severity: .warning,
            wrong: """
                resources:
                  case: [state, deadlines, address, fields]
                rules:
                  - { id: limited-access, allow: [view], on: [case], when: grant.level == "limited", redact: [case.address] }
                """,
            right: """
                resources:
                  case: [state, deadlines, address, fields]
                section_fields: { case.address: [child.address] }
                rules:
                  - { id: limited-access, allow: [view], on: [case], when: grant.level == "limited", redact: [case.address] }
                """
        ),
        entry(
            "CW0236", "redaction that reaches no field",
            """
            A redaction withholds a part of a case and everything under it. A path under `case.fields` names \
            a workflow field, such as `case.fields.child.address`, and a section of `case` mapped under \
            `section_fields` stands for the fields listed there. When no workflow in the set declares such a \
            field, the redaction would hide nothing at all: a misspelt path would show a parent the very \
            details the service meant to withhold, so it is an error, not a redaction that quietly does \
            nothing. The help suggests the nearest field.
            """,
            wrong: """
                section_fields:
                  case.address: [address, child.adress]
                rules:
                  - { id: limited-access, allow: [view], on: [case], when: grant.level == "limited", redact: [case.fields.child.adress] }
                """,
            right: """
                section_fields:
                  case.address: [address, child.address]
                rules:
                  - { id: limited-access, allow: [view], on: [case], when: grant.level == "limited", redact: [case.fields.child.address] }
                """
        ),
        entry(
            "CW0237", "an allow that another rule's redaction refuses",
            """
            A warning: a rule allows a path by name in its `on`, and another allow with an overlapping action \
            covers the same path and redacts it. Redactions from every matching allow apply, and a request for \
            a redacted path is refused, so whenever both rules match the same request the redaction turns this \
            allow into a deny. That may be meant (limited access stays limited even for someone another rule \
            would let in), but it is easy to miss, so say it on purpose: take the path out of this rule's `on`, \
            or narrow the other rule so the two cannot match together. The check looks at actions and paths, \
            not at conditions, which it cannot compare.
            """,
            severity: .warning,
            wrong: """
                rules:
                  - { id: limited-access, allow: [view], on: [ehcp], when: grant.level == "limited", redact: [ehcp.K] }
                  - { id: professionals-see-advice, allow: [view], on: [ehcp.K], when: actor.relationship == "professional" }
                """,
            right: """
                rules:
                  - { id: limited-access, allow: [view], on: [ehcp], when: grant.level == "limited", redact: [ehcp.K] }
                  - { id: professionals-see-the-plan, allow: [view], on: [ehcp], when: actor.relationship == "professional" }
                """
        ),
        entry(
            "CW0238", "malformed placeholder in a rule's reason",
            """
            A rule's `reason` is shown to the person refused, and may show values worked out from the request \
            in braces, such as `{school_leaving_date(case.child.date_of_birth) + 1 day}`. Each `{` must be \
            closed by a `}` with an expression between them, and braces cannot be nested or shown on their \
            own: a reason that cannot be read would otherwise reach a parent with stray code in it. The caret \
            points at the brace.
            """,
            wrong: """
                rules:
                  - id: young-person-before-sixteen
                    deny: [submit]
                    when: actor.relationship == "young_person" and today <= school_leaving_date(case.child.date_of_birth)
                    reason: "You can act on this case yourself from {school_leaving_date(case.child.date_of_birth) + 1 day."
                """,
            right: """
                rules:
                  - id: young-person-before-sixteen
                    deny: [submit]
                    when: actor.relationship == "young_person" and today <= school_leaving_date(case.child.date_of_birth)
                    reason: "You can act on this case yourself from {school_leaving_date(case.child.date_of_birth) + 1 day}."
                """
        ),
        entry(
            "CW0239", "form without a policy resource",
            """
            Under an access policy, the policy decides who may view a form, submit it, and accept or reject \
            it, on the resource the form names with `resource:`. The engine has no form resource of its own, \
            so a form started by a workflow that names a policy must say which of the policy's resources \
            guards it; the resource must be one the policy declares (otherwise CW0225).
            """,
            wrong: """
                form: professional-advice
                version: 1
                title: Advice for an EHC needs assessment
                due: 6 weeks
                shared_with: [health]
                accepted_by: [caseworker]
                """,
            right: """
                form: professional-advice
                version: 1
                title: Advice for an EHC needs assessment
                due: 6 weeks
                shared_with: [health]
                accepted_by: [caseworker]
                resource: advice_form
                """
        ),
        entry(
            "CW0240", "engine message without a template",
            """
            Besides its transitions' `notify:`, a workflow sends messages from the engine's own steps: \
            `form_shared`, `form_submitted`, `form_accepted` and `form_returned` when it starts forms, \
            `reminder` when a deadline has `remind:`, and `breach` when a deadline has `on_breach:`. Their \
            wording is the workflow's: `messages:` names, for each, one of its `templates:` (a form's own \
            `messages:` may name another for that form). The engine words nothing itself, so a message \
            with no template is sent in a neutral form, the form's or deadline's title as the subject and \
            a list of its values as the body, and this warning says so.
            """,
            severity: .warning,
            wrong: """
                deadlines:
                  - { name: decide, from: requested_on, due: 6 weeks, until: [decided], remind: [1 week before] }
                """,
            right: """
                deadlines:
                  - { name: decide, from: requested_on, due: 6 weeks, until: [decided], remind: [1 week before] }
                messages:
                  reminder: deadline_reminder
                templates:
                  deadline_reminder:
                    subject: "Reminder: {{ deadline.title }} is due on {{ deadline.due_on }}"
                    body: "Case {{ case.id }}: {{ deadline.days_left }} days left."
                """
        ),
        entry(
            "CW0241", "unknown deadline",
            """
            An exception names the deadlines it can apply to (`applies_to:`), so that a pause or an excuse \
            citing it is refused on any other clock and a report can count each clock's exceptions. Every \
            name there must be one of the workflow's `deadlines:`; a name that is not would let the \
            exception apply to nothing, and the clock it was meant for could not be paused or excused \
            under it.
            """,
            wrong: """
                exceptions:
                  reg-10-4-a:
                    cites: Reg 10(4)(a)
                    applies_to: [final_plan]
                    effect: excuse
                deadlines:
                  - { name: issue_final_plan, from: requested_on, due: 20 weeks, until: [plan_issued] }
                """,
            right: """
                exceptions:
                  reg-10-4-a:
                    cites: Reg 10(4)(a)
                    applies_to: [issue_final_plan]
                    effect: excuse
                deadlines:
                  - { name: issue_final_plan, from: requested_on, due: 20 weeks, until: [plan_issued] }
                """
        ),
        entry(
            "CW0242", "a family's window escalates",
            """
            A deadline with `kind: window` is time the family holds, such as 15 days to make \
            representations on a draft plan or two months to appeal: when it ends unused it closes, and \
            that is the family's right, not the council's failure. So a window is never breached and never \
            escalates to staff; `on_breach:` belongs to the council's own duties (`kind: duty`, the default).
            """,
            wrong: """
                deadlines:
                  - name: representations
                    kind: window
                    from: draft_issued_on
                    due: 14 days
                    until: [finalising]
                    on_breach: { notify: [send_manager] }
                """,
            right: """
                deadlines:
                  - name: representations
                    kind: window
                    from: draft_issued_on
                    due: 14 days
                    until: [finalising]
                    remind: [3 days before]
                """
        ),
        entry(
            "CW0243", "deadline met by a field that is not a date",
            """
            `met_by:` names the date field that records when a deadline was met, such as the day the \
            final plan was issued, so whether it was met in time is decided from that fact and not from \
            the day someone recorded the step. The field must therefore hold a date; any other type could \
            not be compared with the due date.
            """,
            wrong: """
                fields:
                  final_plan_issued: bool
                deadlines:
                  - { name: issue_final_plan, from: requested_on, due: 20 weeks, until: [plan_issued], met_by: final_plan_issued }
                """,
            right: """
                fields:
                  final_plan_issued_on: date
                deadlines:
                  - { name: issue_final_plan, from: requested_on, due: 20 weeks, until: [plan_issued], met_by: final_plan_issued_on }
                """
        ),
        entry(
            "CW0244", "deadline with both due and due_on",
            """
            A deadline's due date comes one of two ways: `due:` counts a period from its start on its \
            calendar (`6 weeks`, `15 working days`), and `due_on:` works a date out from the case (`later_of(a, \
            b)`, `meeting_on - 2 weeks`). Given both, either one would be silently ignored, so a deadline takes \
            exactly one.
            """,
            wrong: """
                deadlines:
                  - { name: circulate_advice, from: { entered: preparing }, due: 4 weeks, due_on: meeting_on - 2 weeks, until: [circulated] }
                """,
            right: """
                deadlines:
                  - { name: circulate_advice, from: { entered: preparing }, due_on: meeting_on - 2 weeks, until: [circulated] }
                """
        ),
        entry(
            "CW0245", "letter can show a field that is not yet set",
            """
            A warning: a template that a transition's `notify:` sends shows a field which, on some way a case \
            can take to that transition, nothing has set yet, so the letter would read `(not yet recorded)` \
            where the value should be. A field is surely set when the case was opened with it as required \
            `input:`, or when every way to the step (the step included) takes it as required input, gives it \
            with `set:`, or has a guard that holds only when it is set (`has(field)`, alone or joined by \
            `and`). An optional input is the usual cause: the family may leave it out. Make the field \
            required where it is recorded, or word the letter without it (point to the case record). \
            Workflows without an opening `input:` may be opened with any field and are not checked.
            """,
            severity: .warning,
            wrong: """
                transitions:
                  - name: lodge_appeal
                    from: certificate_issued
                    to: appeal_lodged
                    by: caseworker
                    input: { appeal_lodged_on: required, tribunal_reference: optional }
                    notify: [{ to: parent, template: appeal_lodged }]
                templates:
                  appeal_lodged:
                    subject: "Your appeal has been recorded (case {{ case.id }})"
                    body: "Tribunal reference: {{ tribunal_reference }}"
                """,
            right: """
                # the reference is optional when the appeal is recorded, so the letter does not show it
                templates:
                  appeal_lodged:
                    subject: "Your appeal has been recorded (case {{ case.id }})"
                    body: "The Tribunal's reference will be on the case record once it gives one."
                """
        ),
        entry(
            "CW0246", "persona with a grant at an unknown level",
            """
            A persona under a policy's `personas:` holds a grant whose `level` is not one of the policy's \
            `levels:`. Personas are the people the policy is written for, and the handbook decides every \
            resource and action for each of them with the real policy; a grant at a level the policy does not \
            know could never be recorded on a case, so the table would describe nobody. Use one of the \
            declared levels, or declare the level if the service really grants it.
            """,
            wrong: """
                levels: [full, limited, none]
                personas:
                  - { title: "Parent, limited access", role: parent, grant: { level: limted } }
                """,
            right: """
                levels: [full, limited, none]
                personas:
                  - { title: "Parent, limited access", role: parent, grant: { level: limited } }
                """
        ),
        entry(
            "CW0247", "document kind guarded by an undeclared resource",
            """
            Who may see and add a document is decided by the workflow's policy, on the document kind's \
            resource: the resource its `sections:` names, or `document.KIND` for a kind without sections. \
            That resource must be one the policy declares under `resources:`; otherwise no rule could ever \
            allow it, and nobody but the operator could read or add the documents. Declare the resource \
            (for kinds without sections, `document:` listing the kinds) and write the rules that allow it.
            """,
            wrong: """
                documents:
                  decision_letter: { title: Decision letter, types: [application/pdf] }
                # and in the policy:
                resources:
                  case: [state, fields]
                """,
            right: """
                documents:
                  decision_letter: { title: Decision letter, types: [application/pdf] }
                # and in the policy:
                resources:
                  case: [state, fields]
                  document: [decision_letter]
                """
        ),
        entry(
            "CW0248", "document sections from a resource without sections",
            """
            A document kind with `sections: RESOURCE` is stored in parts addressed by that resource's \
            sections (`ehcp.A` to `ehcp.K`), so that the policy decides, section by section, who sees \
            which part; a part the viewer may not see is withheld. A resource the policy declares without \
            sections has no parts to address, so every part would be unnamed. Give the resource its \
            sections, or leave `sections:` out so the document is seen whole or not at all.
            """,
            wrong: """
                documents:
                  draft_plan: { title: Draft EHC plan, sections: plan, types: [application/pdf] }
                # and in the policy:
                resources:
                  plan: []
                """,
            right: """
                documents:
                  draft_plan: { title: Draft EHC plan, sections: ehcp, types: [application/pdf] }
                # and in the policy:
                resources:
                  ehcp: [A, B, C, D, E, F, G, H1, H2, I, J, K]
                """
        ),
        entry(
            "CW0249", "form accepted into an undeclared document",
            """
            A form with `into_document:` adds a version of a document when its submission is accepted, in \
            the same change as the acceptance: the answers become that document, or one section of it. \
            The document kind must be one that every workflow starting the form declares under \
            `documents:`, or the acceptance would have nowhere to put the answers.
            """,
            wrong: """
                form: section-a
                into_document: { kind: draft_pln, section: A }
                """,
            right: """
                form: section-a
                into_document: { kind: draft_plan, section: A }
                """
        ),
        entry(
            "CW0250", "form accepted into a document that cannot hold its answers",
            """
            A form's answers are written as one `text/markdown` part of the document named by \
            `into_document:`. For a kind addressed by sections (`sections: ehcp`), `section:` says which \
            part, and it must be a section the policy gives that resource, so the policy decides who sees \
            it; a kind seen whole takes no section. The kind's `types` must take `text/markdown`.
            """,
            wrong: """
                into_document: { kind: draft_plan }      # draft_plan has sections: ehcp
                """,
            right: """
                into_document: { kind: draft_plan, section: A }
                """
        ),
        entry(
            "CW0251", "link to an unknown workflow",
            """
            A link under `links:` names the workflow of the cases a case may open and read through it: the \
            engine opens a case of that workflow for the same child, and the checker types \
            `linked.NAME.latest.FIELD` from that workflow's fields and states. A workflow the checked set \
            does not hold can be neither opened nor read, so the link is refused.
            """,
            wrong: """
                links:
                  plan: { workflow: ehcp-plans, one: true }
                """,
            right: """
                links:
                  plan: { workflow: ehcp-plan, one: true }
                """
        ),
        entry(
            "CW0252", "unknown link",
            """
            A transition's `open:` and an expression's `linked.NAME.…` name a link the workflow declares \
            under `links:`, which says the workflow of the linked cases: that is how the engine knows which \
            workflow to open and how the checker knows the linked cases' fields and states. A name that is \
            not declared could open or read nothing, so it is refused.
            """,
            wrong: """
                links:
                  plan: { workflow: ehcp-plan, one: true }
                transitions:
                  - { name: issue, from: drafting, to: issued, by: caseworker, open: { plans: {} } }
                """,
            right: """
                links:
                  plan: { workflow: ehcp-plan, one: true }
                transitions:
                  - { name: issue, from: drafting, to: issued, by: caseworker, open: { plan: {} } }
                """
        ),
        entry(
            "CW0253", "report to a transition not fired by engine:link",
            """
            A case opened through a link reports back with `report:`, which fires a transition on the case \
            that opened it, in the same change, as the engine's own actor `engine:link`, not as the person \
            who acted on the linked case. The reported transition must say so in its `by:`, so that no one \
            can fire it by hand and a reader sees where it comes from.
            """,
            wrong: """
                transitions:
                  - { name: record_review_outcome, from: reviewing, to: reviewed, by: caseworker }
                """,
            right: """
                transitions:
                  - { name: record_review_outcome, from: reviewing, to: reviewed, by: engine:link }
                """
        ),
        entry(
            "CW0254", "report with no opener",
            """
            `report: { to: opened_by, … }` fires a transition on the case that opened this one through a \
            link. When no workflow of the checked set declares a link to this workflow, no case of it can \
            have been opened that way, so the report could never reach anything and the transition it names \
            cannot be checked. Declare the link in the opening workflow, or remove the report.
            """,
            wrong: """
                # annual-review reports back, but no workflow has
                links:
                  reviews: { workflow: annual-review }
                """,
            right: """
                # in ehcp-plan:
                links:
                  reviews: { workflow: annual-review }
                """
        ),
        entry(
            "CW0255", "report gives a field the transition does not take",
            """
            A `report:` gives the transition it fires on the opening case the values under its `input:`, \
            and the engine checks them as it checks a person's input: a transition takes only the fields its \
            own `input:` declares. A field the reported transition does not take would be refused on every \
            report, so it is refused here, where it is written.
            """,
            wrong: """
                report: { to: opened_by, fire: record_review_outcome, input: { outcome: decision } }
                """,
            right: """
                report: { to: opened_by, fire: record_review_outcome, input: { review_outcome: decision } }
                """
        ),
        entry(
            "CW0256", "transition both moves the case and stays",
            """
            A transition either moves the case to the state its `to:` names, or, with `stays: true`, \
            records what it records (its input, `set:`, notices, openings and report) and leaves the case in \
            the state it was fired from, whose clocks keep running. Saying both would leave a reader, and \
            the engine, to guess which was meant, so it is refused: keep the one that is meant.
            """,
            wrong: """
                transitions:
                  - { name: record_ordered_amendment_while_busy, from: [reviewing, amending], to: amended, stays: true, by: engine:link }
                """,
            right: """
                transitions:
                  - { name: record_ordered_amendment_while_busy, from: [reviewing, amending], stays: true, by: engine:link }
                """
        ),
        entry(
            "CW0257", "stays is not true",
            """
            `stays` is written only as `stays: true`, on a step that leaves the case in the state it was \
            fired from. A step that moves the case says where with `to: STATE`; `stays: false`, or any other \
            value, does not say where the case goes, so it is refused rather than read as a guess.
            """,
            wrong: """
                transitions:
                  - { name: record_amendment, from: reviewed, stays: false, by: engine:link }
                """,
            right: """
                transitions:
                  - { name: record_amendment, from: reviewed, to: amended, by: engine:link }
                """
        ),
        entry(
            "CW0258", "report's transitions share a state",
            """
            A `report:` may name a list of transitions (`fire: [a, b]`); the engine fires the one whose \
            `from:` holds the opening case's state when the report comes, and refuses the step when none \
            does. That choice must never depend on the order of the list, so no state may be in the `from:` \
            of two of them. The message names the shared state; take it out of all but one.
            """,
            wrong: """
                transitions:
                  - { name: record_ordered_amendment, from: [maintained, amended], to: amended, by: engine:link }
                  - { name: record_ordered_amendment_while_busy, from: [amended, reviewing], stays: true, by: engine:link }
                """,
            right: """
                transitions:
                  - { name: record_ordered_amendment, from: [maintained, amended], to: amended, by: engine:link }
                  - { name: record_ordered_amendment_while_busy, from: [reviewing], stays: true, by: engine:link }
                """
        ),
        entry(
            "CW0259", "a second child definition in the set",
            """
            A child definition (`child:`) declares the identity fields every child record of the set holds \
            and their types, as `fields:` does for a workflow. Every child record is one kind of record, so a set \
            declares them once: two files would give one field two types, or leave it undeclared in one of them. \
            The message names both files; keep one, with every identity field in it.
            """,
            wrong: """
                # Workflows/child.yaml has 'child: send-child'; Workflows/child-extra.yaml:
                child: send-child-extra
                version: 1
                fields: { upn: string }
                """,
            right: """
                # Workflows/child.yaml alone:
                child: send-child
                version: 2
                fields: { first_name: string, date_of_birth: date, upn: string }
                """
        ),
        entry(
            "CW0260", "child record read with no child definition",
            """
            A workflow that says `child: from_record` reads the fields of the child record its case belongs to \
            as `child.NAME` in its expressions, and those names are typed by the set's child definition \
            (`child:` file). With no child definition in the set there is nothing to type them by, so every \
            `child.` name would be unknown; the opt-in is refused where it is written.
            """,
            wrong: """
                # no file of the set says 'child:'
                child: from_record
                """,
            right: """
                # Workflows/child.yaml:
                child: send-child
                version: 1
                fields: { date_of_birth: date }
                """
        ),
        entry(
            "CW0261", "child record read beside a field named child",
            """
            A workflow that says `child: from_record` reads the child record's fields as `child.NAME`. If the \
            workflow also declares a field `child` of its own (such as `child: { first_name: string }` under \
            `fields:`), `child.first_name` would name both the case's field and the child record's, and a reader \
            could not tell which a guard means. Rename the workflow's field, or leave out `child: from_record` \
            and keep reading the case's own fields.
            """,
            wrong: """
                child: from_record
                fields:
                  child: { first_name: string }
                """,
            right: """
                child: from_record
                fields:
                  requested_on: date
                """
        ),
    ]

    // MARK: Expressions (CW03xx)

    private static let expressions: [DiagnosticExplanation] = [
        entry(
            "CW0300", "expression does not parse",
            """
            A guard (`when:`) is written in Casework's expression language, and this one breaks its \
            grammar: a word or symbol stands where something else must come. The usual causes are `=` \
            written for `==`; `&&`, `||` or `!` written for `and`, `or` or `not`; a bracket or quote left \
            open; a condition that stops after `and`; and a chain such as `a < b < c`, which must be written \
            as two comparisons joined by `and`. The message says what was expected there and the caret \
            shows where. The expressions reference gives the whole grammar.
            """,
            wrong: """
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_by = "parent"
                """,
            right: """
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_by == "parent"
                """
        ),
        entry(
            "CW0301", "values that cannot be compared",
            """
            A comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`) needs two values of the same \
            kind. Casework checks this when it loads the definitions, not when a case reaches the \
            transition, so a guard can never be quietly false for every case. A date compares with a date \
            and a number with a number (whole and decimal numbers mix). Text, true-or-false values, \
            durations and the words of a `one_of` field can only be tested for being equal or different, \
            since only numbers, dates and datetimes have an order. A date and a datetime do not compare \
            either: use `today`, not `now`, with date fields. The usual mistake is a number where a \
            duration was meant, or a count of days compared with a duration.
            """,
            wrong: """
                fields:
                  requested_on: date
                transitions:
                  - name: close_unanswered
                    from: requested
                    to: closed
                    by: caseworker
                    when: days_between(requested_on, today) > 6 weeks
                """,
            right: """
                fields:
                  requested_on: date
                transitions:
                  - name: close_unanswered
                    from: requested
                    to: closed
                    by: caseworker
                    when: today > requested_on + 6 weeks
                """
        ),
        entry(
            "CW0302", "unknown name in an expression",
            """
            A guard names something the workflow does not declare. An expression may read the workflow's \
            fields by their dotted path (`child.date_of_birth`), `case.id`, `case.state`, `case.opened_on`, \
            `actor.id`, `actor.role`, the summaries of each form the workflow starts (such as \
            `forms.professional_advice.all_accepted`, where the form's id is written with `_` for `-`), \
            and `today` and `now`. Names are case-sensitive. Check the spelling: the help suggests the \
            nearest name the workflow does declare.
            """,
            wrong: """
                fields:
                  requested_on: date
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requsted_on <= today
                """,
            right: """
                fields:
                  requested_on: date
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_on <= today
                """
        ),
        entry(
            "CW0303", "unknown function",
            """
            The expression language has a fixed set of functions: `age_on`, `days_between`, \
            `working_days_between`, `count`, `any`, `all`, `has`, `school_year_end`, \
            `school_leaving_date`, `later_of`, `earlier_of` and `period`. A call to any other name is reported here, with the closest function \
            when there is one. There are no functions of your own making, so that every guard can be \
            checked, and its cost known, before any case depends on it.
            """,
            wrong: """
                transitions:
                  - name: issue_draft_plan
                    from: drafting
                    to: draft_issued
                    by: caseworker
                    when: days_betwen(draft_issued_on, representations_due_on) >= 14
                """,
            right: """
                transitions:
                  - name: issue_draft_plan
                    from: drafting
                    to: draft_issued
                    by: caseworker
                    when: days_between(draft_issued_on, representations_due_on) >= 14
                """
        ),
        entry(
            "CW0304", "wrong arguments to a function",
            """
            Each function takes a fixed number of values of fixed kinds, shown in the help: \
            `days_between(date, date)`, for instance, takes two dates. This call has too many or too few, \
            or a value of the wrong kind: a datetime (`now`) where a date (`today`) belongs, text where a \
            date belongs, a single value where a list belongs. `has` takes the name of a field, and `any` \
            and `all` take a list, a name for each of its values, and a condition.
            """,
            wrong: """
                transitions:
                  - name: issue_draft_plan
                    from: drafting
                    to: draft_issued
                    by: caseworker
                    when: days_between(draft_issued_on) >= 14
                """,
            right: """
                transitions:
                  - name: issue_draft_plan
                    from: drafting
                    to: draft_issued
                    by: caseworker
                    when: days_between(draft_issued_on, representations_due_on) >= 14
                """
        ),
        entry(
            "CW0305", "condition or value of the wrong type",
            """
            A guard decides whether a transition may happen, so it must come out as true or false (a \
            bool). This one comes out as something else, such as a date or a number, usually because the \
            comparison was left off: `when: advice_due_on` rather than `when: today > advice_due_on`. The \
            same rule applies to the condition inside `any` and `all`. A value in a transition's `set:` \
            must likewise come out as its field's type: `set: { decided_on: today }` needs `decided_on` to \
            be a date field.
            """,
            wrong: """
                fields:
                  advice_due_on: date
                transitions:
                  - name: go_on_without_advice
                    from: assessing
                    to: deciding
                    by: caseworker
                    when: advice_due_on
                """,
            right: """
                fields:
                  advice_due_on: date
                transitions:
                  - name: go_on_without_advice
                    from: assessing
                    to: deciding
                    by: caseworker
                    when: today > advice_due_on
                """
        ),
        entry(
            "CW0306", "word outside the allowed values",
            """
            A `one_of` field, `case.state` and `actor.role` each hold one word from a fixed list: the \
            field's values, the workflow's states, the workflow's roles. Comparing one with a word outside \
            its list (with `==`, `!=`, `in` or `not in`) could never be true, or never false, so it is \
            reported, with the nearest allowed word when there is one. Check the spelling against the \
            list; a state may also have been renamed since the guard was written.
            """,
            wrong: """
                fields:
                  requested_by: { one_of: [parent, young_person, school] }
                transitions:
                  - name: consult_school
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_by == "shcool"
                """,
            right: """
                fields:
                  requested_by: { one_of: [parent, young_person, school] }
                transitions:
                  - name: consult_school
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_by == "school"
                """
        ),
        entry(
            "CW0307", "operator used on the wrong kind of value",
            """
            `and`, `or` and `not` work on true-or-false values. `+` and `-` add and subtract numbers, or \
            move a date (or a datetime) by a duration such as `6 weeks`, and a `-` in front of a value \
            negates a number. This operator was given something else. Two dates cannot be subtracted: \
            `days_between(a, b)` and `working_days_between(a, b)` give the gap between them. A datetime \
            such as `now` moves only by days or weeks, because months, years and working days are counted \
            on dates: use `today` instead.
            """,
            wrong: """
                fields:
                  requested_on: date
                transitions:
                  - name: close_unanswered
                    from: requested
                    to: closed
                    by: caseworker
                    when: today - requested_on > 42
                """,
            right: """
                fields:
                  requested_on: date
                transitions:
                  - name: close_unanswered
                    from: requested
                    to: closed
                    by: caseworker
                    when: days_between(requested_on, today) > 42
                """
        ),
        entry(
            "CW0308", "expression too complex",
            """
            Guards are short conditions, so Casework limits an expression to 4,096 characters, 64 levels \
            of nesting (brackets, `not`, `-`, calls and lists inside one another) and 1,000 parts (names, \
            values and operators). An expression over a limit is refused rather than risk exhausting the \
            memory of the service that checks it; real guards are far below these limits. Split a long \
            condition across transitions, or record the answer to part of it as a field of its own.
            """,
            wrong: """
                transitions:
                  - name: consult_school
                    from: requested
                    to: consulting
                    by: caseworker
                    # a condition pasted from a spreadsheet, 9,000 characters long:
                    when: school_urn == "100001" or school_urn == "100002" or school_urn == "100003" or ...
                """,
            right: """
                fields:
                  school_in_area: bool
                transitions:
                  - name: consult_school
                    from: requested
                    to: consulting
                    by: caseworker
                    when: school_in_area
                """
        ),
        entry(
            "CW0309", "invalid value in an expression",
            """
            A value written in an expression is not one Casework can read: a date that does not exist \
            (`2025-02-29`, `2025-13-01`), a number with letters in it or too large to hold, text whose \
            closing quote is missing, or an escape inside quotes other than `\\\\`, `\\"`, `\\'`, `\\n` and \
            `\\t`. Dates are written as `YYYY-MM-DD` without quotes, with a four-digit year and two-digit \
            month and day.
            """,
            wrong: """
                transitions:
                  - name: apply_new_guidance
                    from: requested
                    to: deciding
                    by: caseworker
                    when: case.opened_on >= 2025-02-29
                """,
            right: """
                transitions:
                  - name: apply_new_guidance
                    from: requested
                    to: deciding
                    by: caseworker
                    when: case.opened_on >= 2025-03-01
                """
        ),
        entry(
            "CW0310", "membership test without a list",
            """
            `in` and `not in` ask whether a value is one of a list of values, so what stands on their \
            right must be a list: values in square brackets, such as `["parent", "young_person"]`, or a \
            field that holds a list. Text that happens to contain commas is a single value, not a list. To \
            compare with one value, use `==`.
            """,
            wrong: """
                fields:
                  requested_by: { one_of: [parent, young_person, school] }
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_by in "parent, young_person"
                """,
            right: """
                fields:
                  requested_by: { one_of: [parent, young_person, school] }
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_by in ["parent", "young_person"]
                """
        ),
        entry(
            "CW0311", "list mixes kinds of value",
            """
            Every value in a list must be of the same kind: all dates, all text, all numbers (whole and \
            decimal numbers mix). A list that mixes kinds could never match what it is compared with, and \
            usually means a value was typed with quotes it should not have, such as a date written as \
            text, or without quotes it should have.
            """,
            wrong: """
                fields:
                  meeting_on: date
                transitions:
                  - name: hold_meeting
                    from: planning
                    to: reviewing
                    by: caseworker
                    when: meeting_on not in [2025-12-25, "2025-12-26"]
                """,
            right: """
                fields:
                  meeting_on: date
                transitions:
                  - name: hold_meeting
                    from: planning
                    to: reviewing
                    by: caseworker
                    when: meeting_on not in [2025-12-25, 2025-12-26]
                """
        ),
        entry(
            "CW0312", "age without a date of birth",
            """
            `age_on(date)` gives the child's or young person's age in whole years on a date, counted from \
            the workflow's date-of-birth field. The workflow must declare one, of type `date`, named \
            either `date_of_birth` or `date_of_birth` inside a `child` group (`child.date_of_birth`). This \
            workflow has neither, so there is no birthday to count from.
            """,
            wrong: """
                fields:
                  child:
                    dob: date
                transitions:
                  - name: move_to_post_16
                    from: reviewing
                    to: post_16
                    by: caseworker
                    when: age_on(today) >= 16
                """,
            right: """
                fields:
                  child:
                    date_of_birth: date
                transitions:
                  - name: move_to_post_16
                    from: reviewing
                    to: post_16
                    by: caseworker
                    when: age_on(today) >= 16
                """
        ),
        entry(
            "CW0313", "group of fields used as a value",
            """
            A name such as `child` that groups other fields (`child.first_name`, `child.date_of_birth`) \
            has no value of its own, so it cannot be compared, calculated with or passed to a function. \
            Name the field inside it that you mean. `case`, `actor` and `forms` are groups too. To test \
            whether any field in a group has been filled in, use `has(child)`.
            """,
            wrong: """
                fields:
                  child:
                    date_of_birth: date
                transitions:
                  - name: move_to_post_16
                    from: reviewing
                    to: post_16
                    by: caseworker
                    when: school_leaving_date(child) <= today
                """,
            right: """
                fields:
                  child:
                    date_of_birth: date
                transitions:
                  - name: move_to_post_16
                    from: reviewing
                    to: post_16
                    by: caseworker
                    when: school_leaving_date(child.date_of_birth) <= today
                """
        ),
        entry(
            "CW0314", "value has no such part",
            """
            Only a group of fields has parts named after a dot. Here a dot follows a name that holds a \
            single value, such as a date or a piece of text, so there is nothing for the part to name. \
            Dates have no `.year` or `.month`: compare with a date, or use durations and the date \
            functions (`requested_on + 1 year`, `school_year_end(requested_on)`). Sometimes the dot is a \
            slip for an underscore, as in `advice.due_on` for `advice_due_on`.
            """,
            wrong: """
                fields:
                  requested_on: date
                transitions:
                  - name: apply_new_guidance
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_on.year >= 2025
                """,
            right: """
                fields:
                  requested_on: date
                transitions:
                  - name: apply_new_guidance
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_on >= 2025-01-01
                """
        ),
        entry(
            "CW0315", "null in an expression",
            """
            Casework expressions have no `null` (nor `nil`, `none` or `undefined`). A field that has not \
            been filled in has no value at all: reading it leaves the guard undecided, so the transition \
            cannot happen, and the reason given is that the field has not been set. To ask whether a field \
            has been filled in, write `has(field)`; to require that it has not, `not has(field)`. As \
            `false and ...` is false whatever follows, `has(x) and x <= today` is false, not undecided, \
            while `x` is unset.
            """,
            wrong: """
                fields:
                  requested_on: date
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: requested_on != null and requested_on <= today
                """,
            right: """
                fields:
                  requested_on: date
                transitions:
                  - name: acknowledge_request
                    from: requested
                    to: deciding
                    by: caseworker
                    when: has(requested_on) and requested_on <= today
                """
        ),
    ]

    /// `casework test`: scenario files and the expectations they hold the definitions to.
    private static let scenarios: [DiagnosticExplanation] = [
        entry(
            "CW0500", "a step was refused",
            """
            A scenario step that says nothing of a refusal must be done. When the engine refuses it (the policy forbids it, the case is in another state, a guard is false, an input is missing), the scenario fails at that step, with the engine's own reason, because every step after it would run on a case that is not where the scenario thinks. If the refusal is what should happen, say so with `expect: { refused: CODE }`.
            """,
            wrong: """
                steps:
                  - as: jo
                    fire: agree_to_assess
                """,
            right: """
                steps:
                  - as: jo
                    fire: agree_to_assess
                    expect: { refused: blocked }
                """
        ),
        entry(
            "CW0501", "unexpected state",
            """
            After the step, the case is in another state than the step's `expect: { state: ... }` says. The message gives both; the notes say what the steps before it did, so you can see where the case went another way. Either the workflow does not do what the scenario describes, or the scenario expects the wrong state.
            """,
            wrong: """
                steps:
                  - as: ana
                    fire: acknowledge_request
                    expect: { state: gathering_advice }
                """,
            right: """
                steps:
                  - as: ana
                    fire: acknowledge_request
                    expect: { state: deciding_to_assess }
                """
        ),
        entry(
            "CW0502", "unexpected field value",
            """
            After the step, a field the step's `expect: { fields: ... }` names holds another value, or none. Values are compared as the field's type reads them, so `2025-10-13` is a date and `true` a bool; a field that a `set:` works out is a good thing to check, because a wrong formula shows here before it reaches a letter.
            """,
            wrong: """
                expect:
                  fields: { advice_due_on: 2025-11-27 }
                """,
            right: """
                expect:
                  fields: { advice_due_on: 2025-11-26 }
                """
        ),
        entry(
            "CW0503", "unexpected deadline",
            """
            A deadline the step's `expect: { deadlines: ... }` names is in another status, is due on another day, or has not started. A status is one of running, paused, met, met_late, breached, excused, lapsed and closed; write `NAME: STATUS`, or `NAME: { status: STATUS, due: DATE }` to check the due day too, which is where a miscounted statutory time limit shows.
            """,
            wrong: """
                expect:
                  deadlines: { decide_whether_to_assess: { status: running, due: 2025-10-14 } }
                """,
            right: """
                expect:
                  deadlines: { decide_whether_to_assess: { status: running, due: 2025-10-13 } }
                """
        ),
        entry(
            "CW0504", "expected notice not sent",
            """
            None of the notices the step sent matches one the step's `expect: { notices: ... }` lists. Every part written must match the same notice: `to` (the recipient's role), `subject_contains`, `body_contains` and `channel` (portal, or other for a notice owed by another route). The message lists what the step did send.
            """,
            wrong: """
                expect:
                  notices: [{ to: send_manager, subject_contains: "Deadline missed" }]
                """,
            right: """
                expect:
                  notices: [{ to: send_manager, subject_contains: "Time limit missed" }]
                """
        ),
        entry(
            "CW0505", "expected refusal did not happen",
            """
            The step's `expect: { refused: ... }` says the engine must refuse it, but the step was done, or it was refused with another code, or for a reason that does not contain the text in `blockers_contain`. A refusal that a policy or a guard should make is worth a scenario of its own: it is the check that keeps a parent from taking a panel's step.
            """,
            wrong: """
                steps:
                  - as: jo
                    fire: agree_to_assess
                    expect: { refused: forbidden }
                """,
            right: """
                steps:
                  - as: jo
                    fire: agree_to_assess
                    expect: { refused: { code: blocked, blockers_contain: send_manager } }
                """
        ),
        entry(
            "CW0506", "unexpected access decision",
            """
            A `decide` step's access decision is not the one its `expect` says: allow where deny was expected or the other way round, or other parts withheld than `redactions` lists. The decision is the case's own policy's, made on the case as it is at that step, for the step's actor with their attributes and grant; the message gives the policy's reasons.
            """,
            wrong: """
                steps:
                  - as: lee
                    decide: { action: view, resource: case.address }
                    expect: { decision: allow }
                """,
            right: """
                steps:
                  - as: lee
                    decide: { action: view, resource: case.address }
                    expect: { decision: deny }
                """
        ),
        entry(
            "CW0507", "unexpected timeline",
            """
            A `timeline` step's timeline, as the step's actor sees it, does not show a text its `expect: { timeline: { shows: ... } }` lists, or shows one that `hides` lists. The texts are looked for in the current state's and each stage's title, the next steps, each time limit's name, title and `NAME: STATUS`, and each notice's subject and body, so a persona scenario can prove what a viewer never sees. A `child_timeline` step's timeline is read the same way in each case it shows, each text written after its case's id (`life.plan-1 Plan maintained`), so that a case left out is proved hidden by its id.
            """,
            wrong: """
                expect:
                  timeline: { hides: [Deciding whether to assess] }
                """,
            right: """
                expect:
                  timeline: { shows: [Deciding whether to assess] }
                """
        ),
        entry(
            "CW0508", "scenario case cannot be set up",
            """
            The case a scenario describes under `given:` could not be opened, or one of its grants could not be recorded, so no step ran. The message gives the engine's reason: most often a field the workflow's `input:` requires to open a case, or a grant at a level the policy does not declare.
            """,
            wrong: """
                given:
                  today: 2025-09-01
                  case:
                    workflow: ehcp-needs-assessment
                    fields: { requested_on: 2025-09-01, requested_by: parent }
                """,
            right: """
                given:
                  today: 2025-09-01
                  case:
                    workflow: ehcp-needs-assessment
                    fields:
                      requested_on: 2025-09-01
                      requested_by: parent
                      child: { first_name: Sam, last_name: Taylor, date_of_birth: 2016-02-14 }
                """
        ),
        entry(
            "CW0509", "unexpected document",
            """
            A `document` or `add_document` step's version, as the step's actor sees it through the access policy, is not as its `expect: { document: ... }` says: its number (`version`), who added it (`added_by`, a role, or `ROLE:ID`, which only a reader who may see the people on the case is shown), a section the reader should be shown (`shown`) or should not (`withheld`), or its text (`contains`, `equals`; for a sectioned kind each section's, under `sections:`). A section withheld from the reader has no text to compare, so a text expected of it fails, saying so. The scenario also asks the door for the bytes of every part it withholds, and reports any it is given, whatever the step expects: a reader with limited access must never get a withheld section.
            """,
            wrong: """
                steps:
                  - as: lee            # limited access: section K is withheld
                    document: final_plan
                    expect:
                      document: { shown: [A, K] }
                """,
            right: """
                steps:
                  - as: lee
                    document: final_plan
                    expect:
                      document: { shown: [A], withheld: [K], sections: { A: { contains: "Sam loves trains" } } }
                """
        ),
        entry(
            "CW0510", "unwanted notice",
            """
            A step sent a notice that its `expect: { no_notices: [...] }` rules out: one matching every part an entry writes (`to` a role, `subject_contains`, `body_contains`, `channel`). A scenario proves who is not written to this way, such as the school on a review of a child who attends none; the message lists the notices that matched.
            """,
            wrong: """
                expect:
                  no_notices: [{ to: parent }]
                """,
            right: """
                expect:
                  no_notices: [{ to: school }]
                """
        ),
        entry(
            "CW0520", "unknown actor",
            """
            A step's `as:`, a participant or a grant names an actor that the scenario's `actors:` does not declare. Each actor is declared once with the workflow role they act in and, under a policy, the attributes the policy reads, so that every step says plainly who acts; the help suggests the nearest declared name.
            """,
            wrong: """
                actors:
                  ana: { role: caseworker }
                steps:
                  - as: anna
                    fire: acknowledge_request
                """,
            right: """
                actors:
                  ana: { role: caseworker }
                steps:
                  - as: ana
                    fire: acknowledge_request
                """
        ),
        entry(
            "CW0521", "step does not do one thing",
            """
            Each step does exactly one thing: fire, submit, accept, reject, tick, pause, resume, excuse, grant, revoke, decide, timeline, timeliness or child_timeline. A step with none says nothing to run, and one with two leaves unclear which outcome its `expect` is about and in which order they happened; split it into two steps.
            """,
            wrong: """
                steps:
                  - as: ana
                    fire: record_evidence
                    tick: true
                """,
            right: """
                steps:
                  - as: ana
                    fire: record_evidence
                  - tick: true
                """
        ),
        entry(
            "CW0522", "unknown workflow in a scenario",
            """
            The workflow a scenario's `given.case` opens is not one of the definitions the scenarios run on. Scenarios run on the definitions `casework validate` checks (Workflows/ and Policies/, or those named with `--definitions`); the help suggests the nearest workflow id.
            """,
            wrong: """
                given:
                  today: 2025-09-01
                  case: { workflow: ehcp-needs-assesment }
                """,
            right: """
                given:
                  today: 2025-09-01
                  case: { workflow: ehcp-needs-assessment }
                """
        ),
        entry(
            "CW0523", "scenario has no child",
            """
            A `child_timeline` step reads the timeline of the child the scenario's case belongs to, across every case of the child the step's actor may see, but the scenario's `given:` names no child, so there is no child to read. Name the child under `given.child` (its id, and the identity fields, people and grants it needs): the child record is added before the case is opened, the case is opened for it, and the cases the case opens through its links belong to it too.
            """,
            wrong: """
                given:
                  today: 2025-09-01
                  case: { workflow: ehcp-needs-assessment, fields: { requested_on: 2025-09-01, requested_by: parent } }
                steps:
                  - as: jo
                    child_timeline: true
                """,
            right: """
                given:
                  today: 2025-09-01
                  child: { id: k-17, grants: [{ to: jo, level: full }] }
                  case: { workflow: ehcp-needs-assessment, fields: { requested_on: 2025-09-01, requested_by: parent } }
                steps:
                  - as: jo
                    child_timeline: true
                """
        ),
        entry(
            "CW0524", "unknown document kind in a scenario",
            """
            A `document` or `add_document` step names a document kind that the workflow of the case it acts on does not declare under `documents:`. A document is always one of its workflow's kinds, so the kind is checked before the scenario runs; the help suggests the nearest declared kind.
            """,
            wrong: """
                steps:
                  - as: jo
                    document: final_pln
                """,
            right: """
                steps:
                  - as: jo
                    document: final_plan
                """
        ),
        entry(
            "CW0525", "malformed document check",
            """
            A document check cannot be made as it is written, so the scenario does not run: `expect: { document: ... }` on a step that reads no document (only `document` and `add_document` steps do); sections (`shown`, `withheld`, `sections`, or an `add_document` step's `section:`) for a kind seen whole, which has none; a whole text (`contains`, `equals` directly under `document:`) for a kind addressed by sections, whose text is each section's; or a section that the kind's policy resource does not have. The help says how to write it.
            """,
            wrong: """
                steps:
                  - as: jo
                    document: advice_report
                    expect:
                      document: { sections: { A: { contains: "speech" } } }
                """,
            right: """
                steps:
                  - as: jo
                    document: advice_report
                    expect:
                      document: { contains: "speech" }
                """
        ),
    ]
}
