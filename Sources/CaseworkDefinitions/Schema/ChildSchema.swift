/// The places of a child definition file, with the meanings of `docs/reference/language.md` ("Child definitions").
enum ChildSchema {
    typealias Part = SchemaPart

    /// The root mapping of a child definition file.
    static let root = SchemaPlace(
        name: "a child definition", decoderKeys: ChildDecoder.keys.names, required: ["child", "version", "fields"],
        keys: [
            "child": SchemaKey(description: "The child definition's id, unique in the checked set: lower-case words joined by '-'. A set holds at most one.",
                               value: Part.name(.definitionID)),
            "version": SchemaKey(description: "The definition's version, a whole number of 1 or more; raise it when the content changes.", value: Part.version),
            "title": SchemaKey(description: "The name people read.", value: Part.text),
            "description": SchemaKey(description: "What the child record holds.", value: Part.text),
            "fields": SchemaKey(description: "The identity fields of every child record: each field's name and type, as a workflow's fields are written.",
                                value: Part.ref("fields")),
        ])

    /// Every place, for the test that the schema and the decoder take the same keys.
    static let places = [root]
}
