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
        // Blob storage: an append-only journal of immutable versions over immutable data files.
        // A version points at a content (an ordered list of extents of data files); a metadata or
        // property change makes a new version sharing the content. Superseded versions, contents
        // and data files go away only through BlobStore's prune step. No foreign key from blobs to
        // `containers`: the backup journal must be able to outlive a deleted container (the trigger
        // below is the cascade for now and can be dropped without rebuilding a table).
        Migration(name: "0002-blobs", sql: """
            ALTER TABLE containers ADD COLUMN etag TEXT;
            ALTER TABLE containers ADD COLUMN last_modified INTEGER;
            ALTER TABLE containers ADD COLUMN metadata TEXT;
            CREATE TABLE blob_journal_clock (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last_commit_us INTEGER NOT NULL
            );
            INSERT INTO blob_journal_clock (id, last_commit_us) VALUES (1, 0);
            CREATE TABLE data_files (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                file_name TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL CHECK (size >= 0),
                md5 BLOB NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE blob_contents (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                size INTEGER NOT NULL CHECK (size >= 0),
                md5 BLOB,
                block_count INTEGER NOT NULL
            );
            CREATE TABLE content_extents (
                content_id INTEGER NOT NULL REFERENCES blob_contents(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                blob_offset INTEGER NOT NULL,
                data_file INTEGER NOT NULL REFERENCES data_files(id),
                file_offset INTEGER NOT NULL,
                length INTEGER NOT NULL CHECK (length >= 0),
                block_id TEXT,
                PRIMARY KEY (content_id, seq)
            ) WITHOUT ROWID;
            CREATE INDEX content_extents_offset ON content_extents(content_id, blob_offset);
            CREATE INDEX content_extents_file ON content_extents(data_file);
            CREATE TABLE blob_versions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                container TEXT NOT NULL,
                name TEXT NOT NULL,
                committed_at INTEGER NOT NULL,
                superseded_at INTEGER,
                deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
                created_at INTEGER NOT NULL,
                content_id INTEGER REFERENCES blob_contents(id),
                content_type TEXT,
                content_encoding TEXT,
                content_language TEXT,
                content_disposition TEXT,
                cache_control TEXT,
                content_md5 BLOB,
                metadata TEXT,
                CHECK (deleted = 1 OR content_id IS NOT NULL)
            );
            CREATE UNIQUE INDEX blob_versions_head ON blob_versions(container, name) WHERE superseded_at IS NULL;
            CREATE INDEX blob_versions_timeline ON blob_versions(container, committed_at);
            CREATE INDEX blob_versions_history ON blob_versions(container, name, committed_at);
            CREATE INDEX blob_versions_superseded ON blob_versions(superseded_at) WHERE superseded_at IS NOT NULL;
            CREATE INDEX blob_versions_content ON blob_versions(content_id);
            CREATE INDEX blob_versions_markers ON blob_versions(committed_at) WHERE superseded_at IS NULL AND deleted = 1;
            CREATE TABLE uncommitted_blocks (
                container TEXT NOT NULL,
                blob TEXT NOT NULL,
                block_id TEXT NOT NULL,
                data_file INTEGER NOT NULL REFERENCES data_files(id),
                size INTEGER NOT NULL CHECK (size >= 0),
                created_at INTEGER NOT NULL,
                PRIMARY KEY (container, blob, block_id)
            ) WITHOUT ROWID;
            CREATE INDEX uncommitted_blocks_file ON uncommitted_blocks(data_file);
            CREATE INDEX uncommitted_blocks_age ON uncommitted_blocks(created_at);
            CREATE TRIGGER containers_delete_blobs AFTER DELETE ON containers BEGIN
                DELETE FROM blob_versions WHERE container = OLD.name;
                DELETE FROM uncommitted_blocks WHERE container = OLD.name;
            END;
            """),
        Migration(name: "0003-settings", sql: """
            CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            """),
        // Account keys sealed at rest: with `sealed = 1`, `key_bytes` holds KeySealer output
        // (AES-256-GCM under the master key, which is never in the database). Rows from before
        // this migration keep `sealed = 0` (raw bytes) only until AccountService seals them, in
        // one transaction, on the first start that has a master key.
        Migration(name: "0004-sealed-keys", sql: """
            ALTER TABLE account_keys ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1));
            """),
        // Issuer grants: who (a uid, gid, systemd unit or executable) may request which tokens.
        Migration(name: "0005-grants", sql: """
            CREATE TABLE grants (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL CHECK (kind IN ('user', 'group', 'unit', 'exe')),
                subject TEXT NOT NULL,
                containers TEXT NOT NULL,
                permissions TEXT NOT NULL,
                max_ttl_seconds INTEGER NOT NULL CHECK (max_ttl_seconds > 0),
                ip_range TEXT,
                https_only INTEGER NOT NULL CHECK (https_only IN (0, 1)),
                created_at INTEGER NOT NULL
            );
            """),
        // The backup journal outlives containers: deleting a container now records a deletion
        // version for each of its blobs (in BlobStore) instead of the trigger's cascade, and each
        // time a container name exists is a lifetime (journal µs), so a restore knows whether the
        // container existed at a time and can bring a deleted one back with its metadata. Before
        // this migration superseded versions were dropped at once, so no restore point may lie
        // before the last change already in the database: `backup.pruned-through` starts there
        // (from then on the heads are the whole state).
        Migration(name: "0006-backup-journal", sql: """
            DROP TRIGGER containers_delete_blobs;
            CREATE TABLE container_lifetimes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                deleted_at INTEGER CHECK (deleted_at IS NULL OR deleted_at > created_at),
                metadata TEXT
            );
            CREATE INDEX container_lifetimes_name ON container_lifetimes(name, created_at);
            CREATE UNIQUE INDEX container_lifetimes_live ON container_lifetimes(name) WHERE deleted_at IS NULL;
            CREATE INDEX container_lifetimes_deleted ON container_lifetimes(deleted_at) WHERE deleted_at IS NOT NULL;
            INSERT INTO container_lifetimes (name, created_at, metadata)
                SELECT name, created_at * 1000000, metadata FROM containers;
            UPDATE blob_journal_clock SET last_commit_us =
                max(last_commit_us, (SELECT coalesce(max(created_at), 0) * 1000000 FROM containers));
            INSERT INTO settings (key, value) SELECT 'backup.pruned-through', CAST(last_commit_us AS TEXT)
                FROM blob_journal_clock WHERE last_commit_us > 0;
            """),
        // Token registry: one row per token issued through token.container / token.blob, with
        // who asked, what it allows and a fingerprint (SHA-256 of the signature bytes, hex); never
        // the token or its signature. `revoked_at`: refused by the data plane until `expires_at`;
        // `key_regenerated_at`: its signing key was regenerated, so it can never verify again.
        // Few indexes on purpose: every index is one more page written per issued token. Only
        // the revoked rows are indexed by expiry (a new row is not in that partial index).
        Migration(name: "0007-token-registry", sql: """
            CREATE TABLE issued_tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                issued_at INTEGER NOT NULL,
                caller_uid INTEGER,
                caller_gid INTEGER,
                caller_pid INTEGER,
                caller_exe TEXT,
                caller_unit TEXT,
                caller_label TEXT NOT NULL,
                container TEXT NOT NULL,
                blob TEXT,
                resource TEXT NOT NULL CHECK (resource IN ('c', 'b')),
                permissions TEXT NOT NULL,
                starts_at INTEGER,
                expires_at INTEGER NOT NULL,
                ip_range TEXT,
                protocol TEXT NOT NULL CHECK (protocol IN ('https', 'https,http')),
                signing_key TEXT NOT NULL CHECK (signing_key IN ('primary', 'secondary')),
                fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
                revoked_at INTEGER,
                key_regenerated_at INTEGER,
                CHECK ((resource = 'b') = (blob IS NOT NULL))
            );
            CREATE INDEX issued_tokens_container ON issued_tokens(container, id);
            CREATE INDEX issued_tokens_revoked ON issued_tokens(expires_at)
                WHERE revoked_at IS NOT NULL AND key_regenerated_at IS NULL;
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
