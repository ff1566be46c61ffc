import CaseworkDefinitions

extension IdempotencyRecord: CanonicallyWritable {
    /// The key's record as stored, what its `Encodable` form writes: `{"caseID","key","request","revision","state"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("caseID", caseID)
            writer.member("key", key)
            writer.member("request", request)
            writer.member("revision", revision)
            writer.member("state", state)
        }
    }
}
