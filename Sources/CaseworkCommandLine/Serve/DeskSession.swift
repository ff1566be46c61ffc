import CaseworkDefinitions
import CaseworkServer
import Foundation

/// Who is signed in to the case desk, carried in one cookie: the credential and the headers the desk sends with each
/// API call it makes for them, exactly as a program calling the API would send them.
///
/// The desk keeps no sessions of its own. The sign-in form takes a bearer token (a JWT from the council's identity
/// provider, or a service token) and, for a service that acts for the people it signs in, the `Casework-Act-As` actor
/// and their `Casework-Attribute` lines; every page then calls the API with them, and the API's one check of who is
/// calling decides, on every request, as for any other client. The cookie is `HttpOnly` (no script reads the token),
/// `SameSite=Strict` (no other site's page sends it), `Path=/desk`, and `Secure` when the server speaks HTTPS; it
/// lasts until the browser closes or the person signs out.
struct DeskSession: Sendable, Equatable {
    /// The cookie's name.
    static let cookieName = "casework_desk"
    /// The name of the hidden form field that proves a form came from a desk page (``csrfToken``).
    static let csrfField = "csrf"

    /// The bearer token.
    var token: String
    /// The actor a service token acts for, as `Casework-Act-As` writes one; empty for a token that names its own actor.
    var actAs: String
    /// The actor's attributes, each `NAME=VALUE` as `Casework-Attribute` takes it.
    var attributes: [String]
    /// Whether the person opened the family pages (their children's timelines) rather than the case desk.
    var family: Bool

    /// The header lines every API call made for this person carries.
    var headers: [(name: String, value: String)] {
        var lines: [(name: String, value: String)] = [("Authorization", "Bearer \(token)")]
        if !actAs.isEmpty { lines.append((Caller.actAsHeader, actAs)) }
        lines += attributes.map { (Caller.attributeHeader, $0) }
        return lines
    }

    /// The cookie's value: the session as JSON, base64url without padding (no character a cookie may not hold).
    var cookieValue: String {
        let object: [String: Any] = ["token": token, "act_as": actAs, "attributes": attributes, "family": family]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The value a desk form carries in its hidden ``csrfField``: the digest of the cookie, which a page of another
    /// site can neither read nor work out, so a form posted from elsewhere is refused even where `SameSite` is not kept.
    var csrfToken: String { SHA256.hex(cookieValue) }

    /// The session the request's cookie carries, or nil when it carries none that can be read.
    init?(request: HTTPRequest) {
        let pairs = request.headerValues("Cookie").flatMap { $0.split(separator: ";") }.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = pairs.first(where: { $0.hasPrefix(Self.cookieName + "=") }) else { return nil }
        var text = String(pair.dropFirst(Self.cookieName.count + 1)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let token = object["token"] as? String, !token.isEmpty,
              let actAs = object["act_as"] as? String,
              let attributes = object["attributes"] as? [String],
              let family = object["family"] as? Bool else { return nil }
        self.init(token: token, actAs: actAs, attributes: attributes, family: family)
    }

    /// A session from the sign-in form's values.
    init(token: String, actAs: String, attributes: [String], family: Bool) {
        self.token = token
        self.actAs = actAs
        self.attributes = attributes
        self.family = family
    }

    /// The `Set-Cookie` line that keeps this session.
    func setCookie(secure: Bool) -> (name: String, value: String) {
        ("Set-Cookie", "\(Self.cookieName)=\(cookieValue); Path=\(Desk.prefix); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")")
    }

    /// The `Set-Cookie` line that ends any session.
    static func clearCookie(secure: Bool) -> (name: String, value: String) {
        ("Set-Cookie", "\(cookieName)=; Path=\(Desk.prefix); Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")")
    }

    /// Whether a posted form carries this session's ``csrfToken``, compared in constant time.
    func accepts(_ form: DeskForm) -> Bool {
        let sent = Array((form.value(Self.csrfField) ?? "").utf8), expected = Array(csrfToken.utf8)
        guard sent.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(sent, expected) { difference |= a ^ b }
        return difference == 0
    }
}

/// A form the browser posted, `application/x-www-form-urlencoded`: its names and values in the order sent.
struct DeskForm: Sendable {
    /// Each name and value, percent-decoded (`+` read as a space).
    var pairs: [(name: String, value: String)]

    /// The form in the request's body; a body that is not form-encoded reads as no fields.
    init(_ request: HTTPRequest) {
        let type = request.header("Content-Type")?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            pairs = []
            return
        }
        pairs = String(decoding: request.body, as: UTF8.self).split(separator: "&").map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { (String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? "" }
            return (decode(pieces[0]), pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }

    /// The value of the first field called `name`.
    func value(_ name: String) -> String? { pairs.first { $0.name == name }?.value }
}
