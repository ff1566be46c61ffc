import CaseworkDefinitions

/// `index.html`: what the handbook holds, with a link to each page.
enum IndexPage {
    static func render(_ handbook: Handbook) -> String {
        let set = handbook.definitions
        var content: [Markup] = [
            .paragraph("What the workflow, form, calendar and access policy definitions say, for the people who write, run and check them: "
                + "each workflow's stages and who does what, every time limit with the law it rests on and its exceptions, "
                + "the letters with their wording, the forms, the access rules, the calendars, and the scenarios that show "
                + "the definitions at work. It is made from the checked files by casework docs, so it says what they say."),
        ]
        content.append(.heading(2, "Workflows"))
        content.append(.list(set.workflows.map { workflow in
            var pieces: [Markup] = [.link(workflow.title, to: Handbook.pageFile(workflow)), .text(" "), .code(workflow.id.value)]
            if let description = workflow.description { pieces.append(.paragraph(description)) }
            return .joined(pieces)
        }))
        if !set.forms.isEmpty {
            content.append(.heading(2, "Forms"))
            content.append(.list(set.forms.map { .joined([.link($0.title, to: FormsPage.anchor($0)), .text(" "), .code($0.id.value)]) }))
        }
        if !set.policies.isEmpty {
            content.append(.heading(2, "Access policy"))
            content.append(.list(set.policies.map { .joined([.link($0.title ?? $0.id.value, to: PolicyPage.file + "#" + $0.id.value), .text(" "), .code($0.id.value)]) }))
        }
        if !set.calendars.isEmpty {
            content.append(.heading(2, "Calendars"))
            content.append(.list(set.calendars.map { .joined([.link($0.title, to: CalendarsPage.file + "#" + $0.id.value), .text(" "), .code($0.id.value)]) }))
        }
        if !handbook.scenarios.isEmpty {
            content.append(.heading(2, "Scenarios"))
            content.append(.list(handbook.scenarios.flatMap(\.scenarios).enumerated().map { index, scenario in
                .link(scenario.name.value, to: ScenariosPage.file + "#" + ScenariosPage.anchor(index))
            }))
        }
        return handbook.document(handbook.title, isIndex: true, content)
    }
}
