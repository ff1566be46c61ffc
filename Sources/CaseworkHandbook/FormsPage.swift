import CaseworkDefinitions

/// `forms.html`: each form, who receives it, how long they have, who accepts it, and its fields.
enum FormsPage {
    static let file = "forms.html"

    /// The link to one form on the page.
    static func anchor(_ form: FormDefinition) -> String { file + "#" + form.id.value }

    static func render(_ handbook: Handbook) -> String {
        var content: [Markup] = [.paragraph("A form is shared with an organisation, which submits it; it is then accepted, "
                                            + "or returned with the information still needed and submitted again.")]
        for form in handbook.definitions.forms {
            content.append(.heading(2, form.title, id: form.id.value))
            if let description = form.description { content.append(.paragraph(description)) }
            var facts: [Markup] = [
                .joined([.text("Id "), .code(form.id.value), .text(", version \(form.version), from "), .code(form.file)]),
                .text("To be submitted within \(form.due.value) of being shared"),
                .joined([.text("Shared with: "), .codes(form.sharedWith.map(\.value))]),
                .joined([.text("Accepted or returned by: "), .codes(form.acceptedBy.map(\.value))]),
            ]
            if let resource = form.resource { facts.append(.joined([.text("Guarded in the access policy as "), .code(resource.value)])) }
            content.append(.list(facts))
            content.append(.table(["Field", "Type"], fieldRows(form.fields, prefix: "")))
        }
        return handbook.document("Forms", content)
    }

    /// One row per field, a record's fields under their dotted paths.
    static func fieldRows(_ fields: [FieldDefinition], prefix: String) -> [[Markup]] {
        fields.flatMap { field -> [[Markup]] in
            let path = prefix + field.name.value
            if case .record(let inner) = field.type { return fieldRows(inner, prefix: path + ".") }
            return [[.code(path), .text(field.type.description)]]
        }
    }
}
