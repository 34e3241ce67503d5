import CMedStoreShims
import CSQLite
import Foundation
import MedStoreProtocol

/// One SQLite connection. Not thread-safe: its owner serialises access (see `Store`).
/// Errors carry the failing statement's text and SQLite's message, never bound values.
public final class SQLiteDatabase {
    private var handle: OpaquePointer?
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path` in WAL mode with `synchronous=FULL`.
    public init(path: String) throws(MedStoreError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw MedStoreError(.unavailable, "cannot open database \(path): \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5000)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA secure_delete=ON")
    }

    deinit { close() }

    /// Closes the connection (idempotent).
    public func close() {
        if let handle {
            sqlite3_close_v2(handle)
            self.handle = nil
        }
    }

    /// Runs one or more statements that take no parameters and return no rows.
    public func execute(_ sql: String) throws(MedStoreError) {
        guard let handle else { throw MedStoreError(.unavailable, "database is closed") }
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw SQLiteDatabase.error(rc: rc, message: message, sql: sql)
        }
    }

    /// Prepares a statement.
    public func prepare(_ sql: String) throws(MedStoreError) -> SQLiteStatement {
        guard let handle else { throw MedStoreError(.unavailable, "database is closed") }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteDatabase.error(rc: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
        return SQLiteStatement(stmt: stmt, db: handle, sql: sql)
    }

    /// Runs `sql` with `bindings` and returns the rows.
    @discardableResult
    public func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws(MedStoreError) -> [SQLiteRow] {
        let statement = try prepare(sql)
        try statement.bind(bindings)
        return try statement.all()
    }

    /// Runs `body` in an immediate transaction; commits when it returns, rolls back when it throws.
    public func transaction<T>(_ body: () throws(MedStoreError) -> T) throws(MedStoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last statement.
    public var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Row id of the last insert.
    public var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    static func error(rc: Int32, message: String, sql: String) -> MedStoreError {
        let primary = rc & 0xff
        let code: ErrorCode
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED: code = .unavailable
        case SQLITE_FULL: code = .resourceExhausted
        case SQLITE_CONSTRAINT: code = .alreadyExists
        default: code = .internal
        }
        return MedStoreError(code, "sqlite error \(rc) (\(message)) in: \(sql)")
    }
}
