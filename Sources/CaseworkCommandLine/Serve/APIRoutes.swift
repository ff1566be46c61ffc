import CaseworkServer

/// Every route the API answers, declared once: the router matches requests against this table, and the test that
/// keeps `docs/reference/openapi.yaml` true compares the two.
enum APIRoutes {
    /// One route: a method and a path pattern whose `{name}` segments capture one segment each.
    struct Route: Sendable {
        /// The method, such as `POST`.
        var method: String
        /// The pattern, such as `/v1/cases/{case}/transitions/{transition}`.
        var pattern: String
        /// Works out the answer.
        var run: @Sendable (APIService, APICall) async throws(APIProblem) -> HTTPResponse
    }

    /// The table, in the order the reference lists the routes.
    static let table: [Route] = [
        Route(method: "GET", pattern: "/healthz", run: HealthRoutes.health),
        Route(method: "GET", pattern: "/readyz", run: HealthRoutes.ready),
        Route(method: "GET", pattern: "/metrics", run: MetricsRoute.metrics),
        Route(method: "GET", pattern: "/v1/openapi.json", run: OpenAPIDocument.serve),
        Route(method: "GET", pattern: "/v1/cases", run: CaseListRoute.list),
        Route(method: "POST", pattern: "/v1/cases", run: CaseRoutes.open),
        Route(method: "GET", pattern: "/v1/worklist", run: WorklistRoute.list),
        Route(method: "GET", pattern: "/v1/cases/{case}", run: CaseRoutes.show),
        Route(method: "GET", pattern: "/v1/cases/{case}/timeline", run: CaseRoutes.timeline),
        Route(method: "GET", pattern: "/v1/cases/{case}/history", run: CaseHistoryRoutes.history),
        Route(method: "GET", pattern: "/v1/cases/{case}/audit", run: CaseHistoryRoutes.audit),
        Route(method: "GET", pattern: "/v1/cases/{case}/transitions", run: CaseRoutes.transitions),
        Route(method: "POST", pattern: "/v1/cases/{case}/transitions/{transition}", run: CaseRoutes.fire),
        Route(method: "GET", pattern: "/v1/cases/{case}/forms", run: FormRoutes.waiting),
        Route(method: "POST", pattern: "/v1/cases/{case}/forms/{form}/submit", run: FormRoutes.submit),
        Route(method: "POST", pattern: "/v1/cases/{case}/forms/{form}/accept", run: FormRoutes.accept),
        Route(method: "POST", pattern: "/v1/cases/{case}/forms/{form}/reject", run: FormRoutes.reject),
        Route(method: "POST", pattern: "/v1/cases/{case}/grants", run: GrantRoutes.grant),
        Route(method: "POST", pattern: "/v1/cases/{case}/grants/{principal}/revoke", run: GrantRoutes.revoke),
        Route(method: "POST", pattern: "/v1/cases/{case}/deadlines/{deadline}/pause", run: DeadlineRoutes.pause),
        Route(method: "POST", pattern: "/v1/cases/{case}/deadlines/{deadline}/resume", run: DeadlineRoutes.resume),
        Route(method: "POST", pattern: "/v1/cases/{case}/deadlines/{deadline}/excuse", run: DeadlineRoutes.excuse),
        Route(method: "GET", pattern: "/v1/cases/{case}/documents", run: DocumentRoutes.list),
        Route(method: "POST", pattern: "/v1/cases/{case}/documents/{kind}", run: DocumentRoutes.add),
        Route(method: "GET", pattern: "/v1/cases/{case}/documents/{kind}", run: DocumentRoutes.show),
        Route(method: "GET", pattern: "/v1/cases/{case}/documents/{kind}/content", run: DocumentRoutes.content),
        Route(method: "POST", pattern: "/v1/cases/{case}/documents/{kind}/withdraw", run: DocumentRoutes.withdraw),
        Route(method: "GET", pattern: "/v1/children/{child}/timeline", run: ChildRoutes.timeline),
        Route(method: "POST", pattern: "/v1/outbox/claim", run: OutboxRoutes.claim),
        Route(method: "POST", pattern: "/v1/outbox/ack", run: OutboxRoutes.acknowledge),
        Route(method: "POST", pattern: "/v1/tick", run: TickRoute.tick),
        Route(method: "POST", pattern: "/v1/decide", run: DecideRoutes.decide),
        Route(method: "POST", pattern: "/v1/decide/batch", run: DecideRoutes.batch),
        Route(method: "POST", pattern: "/v1/validate", run: ValidateRoute.validate),
    ]

    /// The route for `method` and `path` with the segments its pattern captures; 404 when no pattern fits the path,
    /// 405 (with `Allow`) when one fits but not for this method.
    static func match(method: String, path: String) throws(APIProblem) -> (Route, [String: String]) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var allowed: [String] = []
        for route in table {
            guard let captured = capture(route.pattern, segments) else { continue }
            if route.method == method { return (route, captured) }
            allowed.append(route.method)
        }
        guard allowed.isEmpty else {
            throw APIProblem(status: 405, code: "method_not_allowed", detail: "\(path) answers \(allowed.joined(separator: ", ")), not \(method)",
                             headers: [("Allow", allowed.joined(separator: ", "))])
        }
        throw APIProblem(status: 404, code: "not_found", detail: "no route \(path)")
    }

    private static func capture(_ pattern: String, _ segments: [String]) -> [String: String]? {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        guard parts.count == segments.count else { return nil }
        var captured: [String: String] = [:]
        for (part, segment) in zip(parts, segments) {
            if part.hasPrefix("{") {
                guard !segment.isEmpty else { return nil }
                captured[String(part.dropFirst().dropLast())] = segment
            } else if part != segment {
                return nil
            }
        }
        return captured
    }
}

/// One request as a route sees it: the request, the segments its pattern captured, and what let it in.
struct APICall: Sendable {
    /// The request.
    var request: HTTPRequest
    /// The captured segments, by name.
    var parameters: [String: String]
    /// The service token or bearer JWT that came with it.
    var credential: Credential

    /// A captured segment; every route's pattern captures the names it asks for.
    func parameter(_ name: String) -> String { parameters[name] ?? "" }
}
