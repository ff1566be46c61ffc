import CSQLite
import Foundation
import Testing

@testable import CaseworkSQLite

/// A caller's own error, to show a transaction hands it back untouched.
private enum Refusal: SQLiteErrorConvertible, Equatable {
    case refused
    case sqlite(SQLiteError)

    init(_ error: SQLiteError) { self = .sqlite(error) }
}

@Suite("SQLite wrapper")
struct SQLiteWrapperTests {
    private func memory() throws -> SQLiteDatabase {
        try SQLiteDatabase(path: ":memory:")
    }

    /// A database in memory holding table `t` with `x` = 1, 2, 3.
    private func numbers() throws -> SQLiteDatabase {
        let database = try memory()
        try database.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)")
        return database
    }

    @Test("each type binds by index and reads back exactly")
    func bindsByIndex() throws {
        let database = try memory()
        let values: [any SQLiteBindable] = [
            42, Int64.max, Int64.min, 2.5, "Zoë — caf\u{E9}\u{301}", "", "a\u{0}b", Data([0, 1, 255]), Data(), String?.none,
        ]
        let row = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) -> [SQLiteValue] in
            let statement = try db.prepare("SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?")
            try statement.bind(values)
            #expect(try statement.step())
            let row = (0..<statement.columnCount).map { statement.value(at: $0) }
            #expect(statement.int(at: 0) == 42)
            #expect(statement.int64(at: 1) == Int64.max)
            #expect(statement.double(at: 3) == 2.5)
            #expect(statement.string(at: 4) == "Zoë — caf\u{E9}\u{301}")
            #expect(statement.string(at: 5) == "")
            #expect(statement.data(at: 7) == Data([0, 1, 255]))
            #expect(statement.isNull(at: 9))
            #expect(statement.string(at: 9) == nil)
            #expect(statement.int(at: 9) == nil)
            #expect(try !statement.step())
            return row
        }
        #expect(
            row == [
                .integer(42), .integer(.max), .integer(.min), .real(2.5), .text("Zoë — caf\u{E9}\u{301}"), .text(""), .text("a\u{0}b"),
                .blob(Data([0, 1, 255])), .blob(Data()), .null,
            ]
        )
    }

    @Test("each type binds by name, and nil binds NULL")
    func bindsByName() throws {
        let database = try memory()
        let row = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) -> [SQLiteValue] in
            let statement = try db.prepare("SELECT :int, @int64, $double, :text, :data, :none, :nothing")
            try statement.bind(7, named: ":int")
            try statement.bind(Int64(1) << 40, named: "@int64")
            try statement.bind(-0.125, named: "$double")
            try statement.bind("text", named: ":text")
            try statement.bind(Data("bytes".utf8), named: ":data")
            try statement.bind(Int?.none, named: ":none")
            try statement.bindNull(named: ":nothing")
            return try statement.rows { row in (0..<row.columnCount).map { row.value(at: $0) } }.first ?? []
        }
        #expect(row == [.integer(7), .integer(1 << 40), .real(-0.125), .text("text"), .blob(Data("bytes".utf8)), .null, .null])
    }

    @Test("binding a missing parameter or the wrong number of values is an error naming the statement")
    func bindingMistakes() throws {
        let database = try memory()
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            let statement = try db.prepare("SELECT ?, :name")
            let unknown = #expect(throws: SQLiteError.self) { try statement.bind(1, named: ":other") }
            #expect(unknown?.code == SQLITE_RANGE)
            #expect(unknown?.message == "no parameter named ':other'")
            #expect(unknown?.sql == "SELECT ?, :name")
            let count = #expect(throws: SQLiteError.self) { try statement.bind([1]) }
            #expect(count?.message == "the statement has 2 parameters but 1 values were given")
            let range = #expect(throws: SQLiteError.self) { try statement.bind(1, at: 3) }
            #expect(range?.code == SQLITE_RANGE)
        }
    }

    @Test("a transaction commits when its body returns")
    func transactionCommits() throws {
        let database = try memory()
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        let inserted = try database.transaction(kind: .immediate) { (db: SQLiteConnection) throws(SQLiteError) -> Int in
            try db.run("INSERT INTO t (name) VALUES (?)", ["a"]) + db.run("INSERT INTO t (name) VALUES (?)", ["b"])
        }
        #expect(inserted == 2)
        #expect(try count(database, "t") == 2)
    }

    @Test("a transaction rolls back everything when its body throws, and rethrows the body's own error")
    func transactionRollsBack() throws {
        let database = try memory()
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        let error = #expect(throws: Refusal.self) {
            try database.transaction(kind: .immediate) { (db: SQLiteConnection) throws(Refusal) in
                do throws(SQLiteError) {
                    try db.run("INSERT INTO t (name) VALUES (?)", ["a"])
                } catch {
                    throw Refusal(error)
                }
                throw Refusal.refused
            }
        }
        #expect(error == .refused)
        #expect(try count(database, "t") == 0)
        #expect(database.withConnection { $0.isInTransaction } == false)
    }

    @Test("a failing statement inside a transaction rolls back the statements before it")
    func failingStatementRollsBack() throws {
        let database = try memory()
        try database.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")
        #expect(throws: SQLiteError.self) {
            try database.transaction { (db: SQLiteConnection) throws(SQLiteError) in
                try db.run("INSERT INTO t (id) VALUES (?)", ["a"])
                try db.run("INSERT INTO t (id) VALUES (?)", ["a"])
            }
        }
        #expect(try count(database, "t") == 0)
    }

    @Test("a constraint failure carries its result codes, SQLite's message and the statement")
    func constraintErrorIsTyped() throws {
        let database = try memory()
        try database.execute("CREATE TABLE cases (id TEXT PRIMARY KEY)")
        _ = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.run("INSERT INTO cases (id) VALUES (?)", ["c-1"]) }
        let error = #expect(throws: SQLiteError.self) {
            try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.run("INSERT INTO cases (id) VALUES (?)", ["c-1"]) }
        }
        #expect(error?.code == SQLITE_CONSTRAINT)
        #expect(error?.extendedCode == SQLiteError.ExtendedCode.constraintPrimaryKey)
        #expect(error?.message == "UNIQUE constraint failed: cases.id")
        #expect(error?.sql == "INSERT INTO cases (id) VALUES (?)")
        #expect(error?.isUniquenessViolation == true)
        #expect(error?.isBusy == false)
        #expect(
            error?.description == "UNIQUE constraint failed: cases.id [SQLITE_CONSTRAINT_PRIMARYKEY] in `INSERT INTO cases (id) VALUES (?)`"
        )
    }

    @Test("a statement that does not compile is an error naming its SQL")
    func statementErrorNamesSQL() throws {
        let database = try memory()
        let error = #expect(throws: SQLiteError.self) {
            try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in _ = try db.prepare("SELEC id FROM cases") }
        }
        #expect(error?.code == SQLITE_ERROR)
        #expect(error?.message == "near \"SELEC\": syntax error")
        #expect(error?.sql == "SELEC id FROM cases")
        #expect(error?.description == "near \"SELEC\": syntax error [SQLITE_ERROR] in `SELEC id FROM cases`")
    }

    @Test("a script stops at its failing statement and names only that one")
    func scriptErrorNamesStatement() throws {
        let database = try memory()
        let error = #expect(throws: SQLiteError.self) {
            try database.execute(
                """
                CREATE TABLE a (x INTEGER);
                -- a comment between statements
                INSERT INTO a VALUES (1);
                INSERT INTO missing VALUES (2);
                CREATE TABLE b (y INTEGER);
                """
            )
        }
        #expect(error?.message == "no such table: missing")
        #expect(error?.sql?.hasPrefix("INSERT INTO missing VALUES (2);") == true)
        #expect(try count(database, "a") == 1)
        let tables = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT name FROM sqlite_schema WHERE type = 'table'") { $0.string(at: 0) }
        }
        #expect(tables == ["a"])
    }

    @Test("prepare refuses text holding two statements rather than ignoring the second")
    func prepareRefusesTwoStatements() throws {
        let database = try memory()
        let error = #expect(throws: SQLiteError.self) {
            try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in _ = try db.prepare("SELECT 1; SELECT 2") }
        }
        #expect(error?.code == SQLITE_MISUSE)
        #expect(try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in try db.prepare("SELECT 1;").sql } == "SELECT 1;")
    }

    @Test("a cached statement is reused, reset and cleared; a busy one is not handed out twice")
    func cachedStatementReuse() throws {
        let database = try numbers()
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            let sql = "SELECT x FROM t WHERE x >= ? ORDER BY x"
            let first = try db.cachedStatement(sql)
            try first.bind(2, at: 1)
            #expect(try first.step())
            #expect(first.isBusy)
            let nested = try db.cachedStatement(sql)
            #expect(nested !== first)
            #expect(first.int(at: 0) == 2)
            first.reset()
            let again = try db.cachedStatement(sql)
            #expect(again === first)
            // Bindings were cleared, so x >= NULL matches nothing.
            #expect(try !again.step())
            #expect(try db.rows(sql, [1]) { $0.int(at: 0) } == [1, 2, 3])
            #expect(try db.rows(sql, [3]) { $0.int(at: 0) } == [3])
            #expect(try db.cachedStatement(sql) === first)
        }
    }

    @Test("a cached statement is found by its text wherever the text's bytes are, and never for another text")
    func cachedStatementByText() throws {
        let database = try numbers()
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            let constant = "SELECT x FROM t WHERE x >= ? ORDER BY x"
            let first = try db.cachedStatement(constant)
            // The same text in bytes of its own, made at run time: the same statement.
            let copy = String(decoding: Array(constant.utf8), as: UTF8.self)
            #expect(try db.cachedStatement(copy) === first)
            #expect(try db.cachedStatement(constant) === first)
            // Texts made and freed one after another, each looked up while alive: each gets its own statement.
            for bound in 1...3 {
                let text = "SELECT x FROM t WHERE x >= \(bound) ORDER BY x"
                #expect(try db.rows(text) { $0.int(at: 0) } == Array(bound...3))
                #expect(try db.cachedStatement(text).sql == text)
            }
            #expect(try db.rows(constant, [2]) { $0.int(at: 0) } == [2, 3])
        }
    }

    @Test("one text made afresh for every call keeps one statement, and the lookup by address stays bounded")
    func cachedStatementOfATextMadeAfresh() throws {
        let database = try numbers()
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            let first = try db.cachedStatement(String(decoding: Array("SELECT x FROM t WHERE x >= ? ORDER BY x".utf8), as: UTF8.self))
            var texts: [String] = []
            for _ in 0..<(3 * SQLiteConnection.cacheLimit) {
                // Each a new string at a new address (all kept alive, so no address is used twice), the same words.
                texts.append(String(decoding: Array("SELECT x FROM t WHERE x >= ? ORDER BY x".utf8), as: UTF8.self))
                #expect(try db.cachedStatement(texts[texts.count - 1]) === first)
                #expect(db.statementsFiledByAddress <= SQLiteConnection.cacheLimit)
            }
        }
    }

    @Test("run reports how many rows a write changed")
    func runCountsChanges() throws {
        let database = try numbers()
        let changed = try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.run("UPDATE t SET x = x + 10 WHERE x > ?", [1])
        }
        #expect(changed == 2)
    }

    @Test("a second connection waiting past its busy timeout gets SQLITE_BUSY")
    func busyIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("busy.sqlite")
        let holder = try SQLiteDatabase(path: path)
        let waiter = try SQLiteDatabase(path: path)
        try holder.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER)")
        waiter.withConnection { $0.setBusyTimeout(0.05) }
        try holder.execute("BEGIN IMMEDIATE")
        let error = #expect(throws: SQLiteError.self) {
            try waiter.transaction(kind: .immediate) { (db: SQLiteConnection) throws(SQLiteError) in try db.run("INSERT INTO t VALUES (1)") }
        }
        #expect(error?.isBusy == true)
        try holder.execute("COMMIT")
        _ = try waiter.transaction(kind: .immediate) { (db: SQLiteConnection) throws(SQLiteError) in try db.run("INSERT INTO t VALUES (1)") }
        #expect(try count(holder, "t") == 1)
    }

    @Test("opening a file in a missing directory fails naming the path")
    func openFailureNamesPath() throws {
        let error = #expect(throws: SQLiteError.self) { try SQLiteDatabase(path: "/nonexistent-casework-dir/x.sqlite") }
        #expect(error?.code == SQLITE_CANTOPEN)
        #expect(error?.message.contains("'/nonexistent-casework-dir/x.sqlite'") == true)
    }

    private func count(_ database: SQLiteDatabase, _ table: String) throws -> Int? {
        try database.withConnection { (db: SQLiteConnection) throws(SQLiteError) in
            try db.rows("SELECT count(*) FROM \(table)") { $0.int(at: 0) }.first ?? nil
        }
    }
}
