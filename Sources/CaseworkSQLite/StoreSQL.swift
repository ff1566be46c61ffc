/// Every statement ``SQLiteCaseStore`` runs, in one place, by table. The schema they run against is ``SQLiteSchema``.
///
/// Each is prepared once per connection and reused (``SQLiteConnection/cachedStatement(_:)``).
/// Parameters are positional; the comment on each says what they are.
enum StoreSQL {
    // MARK: cases

    /// The case's record. (id)
    static let loadCase = "SELECT record FROM cases WHERE id = ?"

    /// The case's revision, to tell a conflict from a missing case. (id)
    static let caseRevision = "SELECT revision FROM cases WHERE id = ?"

    /// The first case ids in byte order. (limit)
    static let firstCaseIDs = "SELECT id FROM cases ORDER BY id LIMIT ?"

    /// The case ids after one, in byte order. (after id, limit)
    static let caseIDsAfter = "SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT ?"

    /// Opens a case. (id, workflow, workflow_version, state, revision, updated_at, record)
    static let insertCase = """
        INSERT INTO cases (id, workflow, workflow_version, state, revision, updated_at, record)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    /// Changes a case if it is still at the expected revision. (workflow, workflow_version, state, revision, updated_at, record, id, expected revision)
    static let updateCase = """
        UPDATE cases SET workflow = ?, workflow_version = ?, state = ?, revision = ?, updated_at = ?, record = ?
        WHERE id = ? AND revision = ?
        """

    // MARK: audit_events

    /// Appends an event. (case_id, sequence, hash, event)
    static let insertEvent = "INSERT INTO audit_events (case_id, sequence, hash, event) VALUES (?, ?, ?, ?)"

    /// A case's events with their sequence numbers, in sequence order. (case_id)
    static let history = "SELECT sequence, event FROM audit_events WHERE case_id = ? ORDER BY sequence"

    /// A page of a case's events after a sequence number. (case_id, after sequence, limit)
    static let historyPage = "SELECT sequence, event FROM audit_events WHERE case_id = ? AND sequence > ? ORDER BY sequence LIMIT ?"
    static let auditedCaseIDs = "SELECT DISTINCT case_id FROM audit_events"

    // MARK: outbox

    /// Writes a message. (id, case_id, created_at, claimed_by, lease_until, delivered_at, attempts, message)
    static let insertMessage = """
        INSERT INTO outbox (id, case_id, created_at, claimed_by, lease_until, delivered_at, attempts, message)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The oldest messages a claim at `now` may take: portal messages only (a message written before notices could be
    /// owed has no channel, and is one); those owed by another route are for staff. (now, limit)
    static let claimable = """
        SELECT position, message FROM outbox
        WHERE delivered_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)
          AND coalesce(json_extract(message, '$.channel'), 'portal') = 'portal'
        ORDER BY position LIMIT ?
        """

    /// A message the claimer holds and has not acknowledged. (id, claimed_by)
    static let heldMessage = "SELECT position, message FROM outbox WHERE id = ? AND claimed_by = ? AND delivered_at IS NULL"

    /// Records a claim or a delivery. (claimed_by, lease_until, delivered_at, attempts, message, position)
    static let updateDelivery = """
        UPDATE outbox SET claimed_by = ?, lease_until = ?, delivered_at = ?, attempts = ?, message = ?
        WHERE position = ?
        """

    /// A page of every message in commit order, after a position. (after position, limit)
    static let allMessages = "SELECT position, message FROM outbox WHERE position > ? ORDER BY position LIMIT ?"

    /// A page of one case's messages in commit order, after a position. (case_id, after position, limit)
    static let caseMessages = "SELECT position, message FROM outbox WHERE case_id = ? AND position > ? ORDER BY position LIMIT ?"

    // MARK: idempotency

    /// Records a key's result. (key, record)
    static let insertIdempotency = "INSERT INTO idempotency (key, record) VALUES (?, ?)"

    /// A key's result. (key)
    static let idempotencyRecord = "SELECT record FROM idempotency WHERE key = ?"

    // MARK: definitions

    /// Stores a definition version unless one is there. (kind, id, version, fingerprint, content)
    static let insertDefinition = """
        INSERT INTO definitions (kind, id, version, fingerprint, content) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (kind, id, version) DO NOTHING
        """

    /// A definition version. (kind, id, version)
    static let definition = "SELECT fingerprint, content FROM definitions WHERE kind = ? AND id = ? AND version = ?"

    /// Every definition version without its text, sorted.
    static let definitionVersions = "SELECT kind, id, version, fingerprint FROM definitions ORDER BY kind, id, version"

    // MARK: definition_snapshots

    /// Stores a snapshot unless it is there. (fingerprint)
    static let insertSnapshot = "INSERT INTO definition_snapshots (fingerprint) VALUES (?) ON CONFLICT (fingerprint) DO NOTHING"

    /// Adds one member to a snapshot. (snapshot, kind, id, version)
    static let insertSnapshotMember = "INSERT INTO definition_snapshot_members (snapshot, kind, id, version) VALUES (?, ?, ?, ?)"

    /// A snapshot's members with their fingerprints; no rows when there is no such snapshot. (snapshot)
    static let snapshotMembers = """
        SELECT m.kind, m.id, m.version, d.fingerprint FROM definition_snapshot_members m
        JOIN definitions d ON d.kind = m.kind AND d.id = m.id AND d.version = m.version
        WHERE m.snapshot = ?
        """

    /// Every snapshot's members, snapshots in the order first stored.
    static let allSnapshotMembers = """
        SELECT s.fingerprint, m.kind, m.id, m.version, d.fingerprint FROM definition_snapshots s
        JOIN definition_snapshot_members m ON m.snapshot = s.fingerprint
        JOIN definitions d ON d.kind = m.kind AND d.id = m.id AND d.version = m.version
        ORDER BY s.position
        """

    // MARK: Deadline alarms

    /// Removes a case's alarms before its new ones are written.
    static let deleteAlarms = "DELETE FROM deadline_alarms WHERE case_id = ?"

    /// Adds one alarm.
    static let insertAlarm = "INSERT INTO deadline_alarms (case_id, deadline, kind, due_at) VALUES (?, ?, ?, ?)"

    /// The earliest alarms due by a time, through the `due_at` index.
    static let dueAlarms = """
        SELECT case_id, deadline, kind, due_at FROM deadline_alarms
        WHERE due_at <= ? ORDER BY due_at, case_id, deadline, kind LIMIT ?
        """

    /// The next alarms due by a time after one alarm's place in the index. (now, due_at, case_id, deadline, kind, limit)
    static let dueAlarmsAfter = """
        SELECT case_id, deadline, kind, due_at FROM deadline_alarms
        WHERE due_at <= ? AND (due_at, case_id, deadline, kind) > (?, ?, ?, ?)
        ORDER BY due_at, case_id, deadline, kind LIMIT ?
        """

    // MARK: archives

    /// Every message of a case with its delivery state, in commit order. (case_id)
    static let caseOutbox = "SELECT position, message FROM outbox WHERE case_id = ? ORDER BY position"

    /// Every idempotency key recorded for a case: the table has no case column, so the record's own is read. (case_id)
    static let caseIdempotency = "SELECT record FROM idempotency WHERE json_extract(record, '$.caseID') = ? ORDER BY key"

    /// A case's alarms, in due-index order. (case_id)
    static let caseAlarms = "SELECT deadline, kind, due_at FROM deadline_alarms WHERE case_id = ? ORDER BY due_at, deadline, kind"
}
