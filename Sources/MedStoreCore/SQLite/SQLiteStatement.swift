import CMedStoreShims
import CSQLite
import MedStoreProtocol

/// A prepared statement; finalized on deinit.
public final class SQLiteStatement {
    private let stmt: OpaquePointer
    private let db: OpaquePointer
    private let sql: String

    init(stmt: OpaquePointer, db: OpaquePointer, sql: String) {
        self.stmt = stmt
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(stmt) }

    /// Binds values to `?` parameters in order (resets the statement first).
    public func bind(_ values: [SQLiteValue]) throws(MedStoreError) {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .integer(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .real(let v): rc = sqlite3_bind_double(stmt, index, v)
            case .text(let v): rc = sqlite3_bind_text(stmt, index, v, -1, medstore_sqlite_transient())
            case .blob(let v):
                rc = v.withUnsafeBytes { raw in
                    sqlite3_bind_blob(stmt, index, raw.baseAddress, Int32(raw.count), medstore_sqlite_transient())
                }
            }
            guard rc == SQLITE_OK else {
                throw SQLiteDatabase.error(rc: rc, message: String(cString: sqlite3_errmsg(db)), sql: sql)
            }
        }
    }

    /// Steps once; returns the row or nil when done.
    public func next() throws(MedStoreError) -> SQLiteRow? {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else {
            throw SQLiteDatabase.error(rc: rc, message: String(cString: sqlite3_errmsg(db)), sql: sql)
        }
        let count = sqlite3_column_count(stmt)
        var values: [SQLiteValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(stmt, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(stmt, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(stmt, column)))
            case SQLITE_TEXT:
                values.append(.text(String(cString: sqlite3_column_text(stmt, column))))
            case SQLITE_BLOB:
                let n = Int(sqlite3_column_bytes(stmt, column))
                if n == 0 {
                    values.append(.blob([]))
                } else {
                    let base = sqlite3_column_blob(stmt, column)!
                    values.append(.blob(Array(UnsafeRawBufferPointer(start: base, count: n))))
                }
            default: values.append(.null)
            }
        }
        return SQLiteRow(values: values)
    }

    /// All remaining rows.
    public func all() throws(MedStoreError) -> [SQLiteRow] {
        var rows: [SQLiteRow] = []
        while let row = try next() { rows.append(row) }
        sqlite3_reset(stmt)
        return rows
    }
}
