/// A request the server refused itself, before any handler saw it, for the routing layer to word (``HTTPServer``'s
/// `refusal` closure): the HTTP layer knows the limit, the layer above knows how its API writes a refusal.
public enum HTTPRefusal: Sendable, Hashable {
    /// The body was longer than ``HTTPServerSettings/maxBodyBytes`` (answered 413).
    case bodyTooLarge(limit: Int)
}
