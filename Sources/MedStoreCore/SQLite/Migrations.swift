import MedStoreProtocol

/// A named, append-only schema step. Never edit or reorder a shipped migration: add a new one.
public struct Migration: Sendable {
    /// Unique, stable name.
    public let name: String
    /// SQL run inside the migration's own transaction.
    public let sql: String
}

/// The schema history and its runner.
public enum Migrations {
    /// Every migration, oldest first.
    public static let all: [Migration] = [
        Migration(name: "0001-account-keys-containers-iprules", sql: """
            CREATE TABLE account (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                name TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                imported INTEGER NOT NULL,
                key_for_tokens TEXT NOT NULL CHECK (key_for_tokens IN ('primary', 'secondary'))
            );
            CREATE TABLE account_keys (
                name TEXT PRIMARY KEY CHECK (name IN ('primary', 'secondary')),
                key_bytes BLOB NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE containers (
                name TEXT PRIMARY KEY,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE ip_rules (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                network TEXT NOT NULL UNIQUE,
                note TEXT,
                created_at INTEGER NOT NULL
            );
            """),
    ]

    /// Runs pending migrations, each in its own transaction, and refuses a database whose
    /// history has a migration this code does not know (a newer version wrote it).
    public static func run(on db: SQLiteDatabase) throws(MedStoreError) {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
        let applied = Set(try db.query("SELECT name FROM schema_migrations").compactMap { $0.text(0) })
        let known = Set(all.map(\.name))
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty {
            throw MedStoreError(.failedPrecondition,
                                "database \(db.path) was written by a newer medstored (unknown migrations: \(unknown.joined(separator: ", "))); upgrade medstored")
        }
        for migration in all where !applied.contains(migration.name) {
            try db.transaction { () throws(MedStoreError) in
                try db.execute(migration.sql)
                try db.query("INSERT INTO schema_migrations (name, applied_at) VALUES (?, strftime('%s','now'))",
                             [.text(migration.name)])
            }
        }
    }
}
