// libFuzzer target: the bytes a store reads back as a row (a case's record, an audit event, an outbox message, an
// idempotency key, a document version, a child's record and its audit event), as SQLite and PostgreSQL read them
// (`StoredJSON.decode`). A store file can be damaged or handed over, so a row is outside input. Besides a crash or a
// leak, it stops where `StoredRowCheck` (Sources/CaseworkStoreConformance) says a row was read wrongly: the hand-written
// reader reading a row otherwise than `JSONDecoder`, or a row changing when it is written back.
import CaseworkStoreConformance
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    checkInput(data, size, StoredRowCheck.check)
}

runFuzzer(fuzz)
