/// Every statement ``PostgresCaseStore`` runs, in one place, by table. The schema they run against is ``PostgresSchema``.
///
/// Parameters are positional (`$1`, `$2`, …) and sent apart from the text; the comment on each says what they are.
enum PostgresSQL {
    // MARK: cases

    /// The case's record. (case_id)
    static let loadCase = "SELECT record FROM cases WHERE case_id = $1"

    /// The case's revision, to tell a conflict from a missing case. (case_id)
    static let caseRevision = "SELECT revision FROM cases WHERE case_id = $1"

    /// The first case ids in byte order. (limit)
    static let firstCaseIDs = "SELECT case_id FROM cases ORDER BY case_id LIMIT $1"

    /// The case ids after one, in byte order. (after id, limit)
    static let caseIDsAfter = "SELECT case_id FROM cases WHERE case_id > $1 ORDER BY case_id LIMIT $2"

    /// Opens a case. (case_id, workflow, workflow_version, state, revision, updated_at, record)
    static let insertCase = """
        INSERT INTO cases (case_id, workflow, workflow_version, state, revision, updated_at, record)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """

    /// Changes a case if it is still at the expected revision, and otherwise fails with SQLSTATE ``staleRevision``:
    /// the compare-and-set, as a statement that fails, so a pipelined commit rolls back on it.
    /// (case_id, expected revision, workflow, workflow_version, state, revision, updated_at, record)
    static let updateCase = "SELECT casework_update_case($1, $2, $3, $4, $5, $6, $7, $8)"

    /// The SQLSTATE ``updateCase`` fails with when the case is not at the expected revision (or not there at all).
    static let staleRevision = "WC409"

    // MARK: audit_events

    /// Appends an event. (case_id, sequence, hash, event)
    static let insertEvent = "INSERT INTO audit_events (case_id, sequence, hash, event) VALUES ($1, $2, $3, $4)"

    /// A case's events in sequence order. (case_id)
    static let history = "SELECT sequence, event FROM audit_events WHERE case_id = $1 ORDER BY sequence"

    /// The hash of one audit event, to learn whether a commit whose answer was lost landed. (case_id, sequence)
    static let eventHash = "SELECT hash FROM audit_events WHERE case_id = $1 AND sequence = $2"

    /// A page of a case's events after a sequence number. (case_id, after sequence, limit)
    static let historyPage = "SELECT sequence, event FROM audit_events WHERE case_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3"

    /// Every case id with events.
    static let auditedCaseIDs = "SELECT DISTINCT case_id FROM audit_events"

    // MARK: outbox

    /// Writes a message whose id no case holds yet, or fails as a unique violation (schema version 5), with its channel
    /// as the store gives it (schema version 6), so the server does not parse the message to find it.
    /// (case_id, id, created_at, claimed_by, lease_until, delivered_at, attempts, message, channel)
    static let insertMessage = "SELECT casework_insert_message($1, $2, $3, $4, $5, $6, $7, $8, $9)"

    /// Locks and reads the oldest messages a claim at `now` may take, skipping rows another claimer holds locked:
    /// portal messages only (a message written before notices could be owed has no channel, and is one); those owed
    /// by another route are for staff. (now, limit)
    static let claimable = """
        SELECT case_id, id, message FROM outbox
        WHERE delivered_at IS NULL AND (lease_until IS NULL OR lease_until <= $1) AND channel = 'portal'
        ORDER BY position LIMIT $2
        FOR UPDATE SKIP LOCKED
        """

    /// Locks and reads the messages with an id that the claimer holds and has not acknowledged. (id, claimed_by)
    static let heldMessages = """
        SELECT case_id, id, message FROM outbox WHERE id = $1 AND claimed_by = $2 AND delivered_at IS NULL
        FOR UPDATE
        """

    /// Records a claim or a delivery. (claimed_by, lease_until, delivered_at, attempts, message, case_id, id)
    static let updateDelivery = """
        UPDATE outbox SET claimed_by = $1, lease_until = $2, delivered_at = $3, attempts = $4, message = $5
        WHERE case_id = $6 AND id = $7
        """

    /// A page of every message in commit order, after a position. (after position, limit)
    static let allMessages = "SELECT position, case_id, message FROM outbox WHERE position > $1 ORDER BY position LIMIT $2"

    /// A page of one case's messages in commit order, after a position. (case_id, after position, limit)
    static let caseMessages = "SELECT position, case_id, message FROM outbox WHERE case_id = $1 AND position > $2 ORDER BY position LIMIT $3"

    // MARK: idempotency

    /// Records a key's result under an advisory lock on the key, failing with a unique violation when some case
    /// already holds the key. (case_id, key, record)
    static let insertIdempotency = "SELECT casework_record_key($1, $2, $3)"

    /// A key's result. (key)
    static let idempotencyRecord = "SELECT case_id, record FROM idempotency WHERE key = $1"

    // MARK: definitions

    /// Stores a definition version unless one is there. (kind, id, version, fingerprint, content)
    static let insertDefinition = """
        INSERT INTO definitions (kind, id, version, fingerprint, content) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (kind, id, version) DO NOTHING
        """

    /// A definition version. (kind, id, version)
    static let definition = "SELECT fingerprint, content FROM definitions WHERE kind = $1 AND id = $2 AND version = $3"

    /// Every definition version without its text.
    static let definitionVersions = "SELECT kind, id, version, fingerprint FROM definitions"

    // MARK: definition_snapshots

    /// Stores a snapshot unless it is there. (fingerprint)
    static let insertSnapshot = "INSERT INTO definition_snapshots (fingerprint) VALUES ($1) ON CONFLICT (fingerprint) DO NOTHING"

    /// Adds one member to a snapshot. (snapshot, kind, id, version)
    static let insertSnapshotMember = "INSERT INTO definition_snapshot_members (snapshot, kind, id, version) VALUES ($1, $2, $3, $4)"

    /// A snapshot's members with their fingerprints; no rows when there is no such snapshot. (snapshot)
    static let snapshotMembers = """
        SELECT m.kind, m.id, m.version, d.fingerprint FROM definition_snapshot_members m
        JOIN definitions d ON d.kind = m.kind AND d.id = m.id AND d.version = m.version
        WHERE m.snapshot = $1
        """

    /// Every snapshot's members, snapshots in the order first stored.
    static let allSnapshotMembers = """
        SELECT s.fingerprint, m.kind, m.id, m.version, d.fingerprint FROM definition_snapshots s
        JOIN definition_snapshot_members m ON m.snapshot = s.fingerprint
        JOIN definitions d ON d.kind = m.kind AND d.id = m.id AND d.version = m.version
        ORDER BY s.position
        """

    // MARK: deadline_alarms

    /// Removes a case's alarms before its new ones are written. (case_id)
    static let deleteAlarms = "DELETE FROM deadline_alarms WHERE case_id = $1"

    /// Adds one alarm. (case_id, deadline, kind, due_at)
    static let insertAlarm = "INSERT INTO deadline_alarms (case_id, deadline, kind, due_at) VALUES ($1, $2, $3, $4)"

    /// The earliest alarms due by a time, through the `due_at` index. (now, limit)
    static let dueAlarms = """
        SELECT case_id, deadline, kind, due_at FROM deadline_alarms
        WHERE due_at <= $1 ORDER BY due_at, case_id, deadline, kind LIMIT $2
        """

    /// The next alarms due by a time after one alarm's place in the index, compared as a row. (now, due_at, case_id,
    /// deadline, kind, limit)
    static let dueAlarmsAfter = """
        SELECT case_id, deadline, kind, due_at FROM deadline_alarms
        WHERE due_at <= $1 AND (due_at, case_id, deadline, kind) > ($2::bigint, $3::text, $4::text, $5::text)
        ORDER BY due_at, case_id, deadline, kind LIMIT $6
        """

    // MARK: archive

    /// Every message of a case with its delivery state, in commit order. (case_id)
    static let caseOutbox = "SELECT case_id, message FROM outbox WHERE case_id = $1 ORDER BY position"

    /// Every idempotency key recorded for a case. (case_id)
    static let caseIdempotency = "SELECT case_id, record FROM idempotency WHERE case_id = $1 ORDER BY key"

    /// A case's alarms, in due-index order. (case_id)
    static let caseAlarms = "SELECT deadline, kind, due_at FROM deadline_alarms WHERE case_id = $1 ORDER BY due_at, deadline, kind"
}
