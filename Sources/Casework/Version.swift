/// Which Casework this is, for `casework --version` and for anyone reporting a problem.
///
/// Two numbers, bumped by hand in the commit that makes the change, and nowhere else:
/// - ``tool`` is the release's semantic version: raise the patch for fixes, the minor for anything added
///   (a command, an option, a JSON key), the major only if a fixed shape ever had to change.
/// - ``definitionLanguage`` is the version of the YAML definition language (`docs/reference/language.md`):
///   raise it only when a definition written for this version could be read differently or refused by the next.
///   Adding an optional key does not raise it.
public enum CaseworkVersion {
    /// The tool's release version, such as `0.4.0`.
    public static let tool = "0.4.0"
    /// The definition language version this build reads.
    public static let definitionLanguage = 1
    /// `casework 0.4.0 (definition language 1)`: the line `casework --version` prints.
    public static var description: String { "casework \(tool) (definition language \(definitionLanguage))" }
}
