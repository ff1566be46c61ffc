import CaseworkServer

/// The desk's stylesheet and script, `Serve/Desk/desk.css` and `Serve/Desk/desk.js`, built into the program as
/// `openapi.yaml` is (``PackageResources``): the server needs no files beside it, and the pages it sends always
/// match the assets it sends.
enum DeskAssets {
    /// `GET /desk/desk.css`.
    static let stylesheet = asset(PackageResources.desk_css, type: "text/css; charset=utf-8")
    /// `GET /desk/desk.js`.
    static let script = asset(PackageResources.desk_js, type: "text/javascript; charset=utf-8")

    /// `GET /desk/favicon.svg`: the tab's icon (a browser asks for one; without it, it asks the API's `/favicon.ico`
    /// and logs the refusal).
    static let icon = asset(Array("""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" fill="#0b3d91"/>\
        <path d="M4 4h8v2H6v4h6v2H4z" fill="#fff"/></svg>
        """.utf8), type: "image/svg+xml")

    private static func asset(_ bytes: [UInt8], type: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", type), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")], body: bytes)
    }
}
