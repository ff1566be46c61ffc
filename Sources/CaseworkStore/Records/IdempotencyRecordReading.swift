import CaseworkDefinitions

extension IdempotencyRecord: CanonicallyReadable {
    /// Reads the key's record as stored, what its `Decodable` form reads: `{"caseID","key","request","revision","state"}`,
    /// members it does not know skipped: read on every request that carries an idempotency key.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        typealias Failure = CanonicalJSONReader.Failure
        var caseID: String?, key: String?, request: String?, revision: Int?, state: String?
        try reader.object { (reader: inout CanonicalJSONReader, name: String) throws(Failure) in
            switch name {
            case "caseID": try reader.member(&caseID, name) { (reader) throws(Failure) in try reader.string() }
            case "key": try reader.member(&key, name) { (reader) throws(Failure) in try reader.string() }
            case "request": try reader.member(&request, name) { (reader) throws(Failure) in try reader.string() }
            case "revision": try reader.member(&revision, name) { (reader) throws(Failure) in try reader.integer() }
            case "state": try reader.member(&state, name) { (reader) throws(Failure) in try reader.string() }
            default: try reader.skipValue()
            }
        }
        self.init(
            key: try reader.required(key, "key"), caseID: try reader.required(caseID, "caseID"), request: try reader.required(request, "request"),
            state: try reader.required(state, "state"), revision: try reader.required(revision, "revision"))
    }
}
