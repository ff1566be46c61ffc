"""schemathesis hooks for Tests/api/schemathesis.sh: how to send a body schemathesis has no serializer for."""
import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """POST /v1/decide/batch takes one JSON request a line; the document types the body as a string, sent as it is."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
