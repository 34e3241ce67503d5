import MedStoreProtocol

/// The schema of `audit.db` and the mapping between records and rows. `audit.db` is its own
/// SQLite file (WAL, `synchronous=FULL`) beside `medstore.db`, versioned by `PRAGMA user_version`.
enum AuditDatabase {
    /// The schema version this code writes.
    static let schemaVersion: Int64 = 1

    /// Columns in canonical field order, then the two hashes.
    static let columns = "seq, time_us, kind, ref, connection, request_id, uid, gid, pid, exe, unit, role, method, target, outcome, detail, prev_hash, hash"

    /// Creates the table on a new file; refuses a file a newer medstored wrote.
    static func prepare(_ db: SQLiteDatabase) throws(MedStoreError) {
        let version = try db.query("PRAGMA user_version").first?.int(0) ?? 0
        guard version <= schemaVersion else {
            throw MedStoreError(.failedPrecondition,
                                "\(db.path) was written by a newer medstored (audit schema \(version)); upgrade medstored")
        }
        guard version < schemaVersion else { return }
        try db.transaction { () throws(MedStoreError) in
            try db.execute("""
                CREATE TABLE audit_records (
                    seq INTEGER PRIMARY KEY,
                    time_us INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    ref INTEGER,
                    connection INTEGER,
                    request_id INTEGER,
                    uid INTEGER,
                    gid INTEGER,
                    pid INTEGER,
                    exe TEXT,
                    unit TEXT,
                    role TEXT,
                    method TEXT NOT NULL,
                    target TEXT,
                    outcome TEXT,
                    detail TEXT,
                    prev_hash BLOB NOT NULL,
                    hash BLOB NOT NULL
                );
                CREATE INDEX audit_records_ref ON audit_records(ref) WHERE ref IS NOT NULL;
                CREATE INDEX audit_records_time ON audit_records(time_us);
                PRAGMA user_version = \(schemaVersion);
                """)
        }
    }

    /// A field as an SQLite value (integers as their two's-complement bit pattern).
    static func value(_ field: AuditField) -> SQLiteValue {
        switch field {
        case .absent, .foreign: return .null
        case .unsigned(let number): return .integer(Int64(bitPattern: number))
        case .string(let text): return .text(text)
        }
    }

    /// A stored value as a field, exactly as stored (any other type is `.foreign`).
    static func field(_ value: SQLiteValue) -> AuditField {
        switch value {
        case .null: return .absent
        case .integer(let number): return .unsigned(UInt64(bitPattern: number))
        case .text(let text): return .string(text)
        case .real, .blob: return .foreign
        }
    }

    /// A row selected with ``columns`` as a record to verify.
    static func stored(_ row: SQLiteRow) -> AuditStoredRecord {
        let fields = (0..<AuditChain.fieldCount).map { field(row.values[$0]) }
        func digest(_ index: Int) -> [UInt8]? {
            guard let bytes = row.blob(index), bytes.count == Crypto.sha256Length else { return nil }
            return bytes
        }
        return AuditStoredRecord(fields: fields, prevHash: digest(16), hash: digest(17))
    }

    /// The last record's seq and hash; the empty head when there is none.
    static func lastRecord(_ db: SQLiteDatabase) throws(MedStoreError) -> AuditHead {
        guard let row = try db.query("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1").first else {
            return .empty
        }
        return AuditHead(seq: UInt64(bitPattern: row.int(0)), hash: row.blob(1) ?? [])
    }
}
