import MedStoreCore
import MedStoreProtocol

extension Daemon {
    /// Loads (or, for the state-directory default, creates) the master key and logs where it
    /// came from; never anything of the key itself.
    static func loadMasterKey(_ source: MasterKeySource, logger: Logger) throws(MedStoreError) -> (key: MasterKey, created: Bool) {
        let loaded = try source.load()
        if loaded.created {
            logger.notice("master key created", [("source", source.kind), ("path", source.path), ("mode", "0600")])
        } else {
            logger.info("master key loaded", [("source", source.kind), ("path", source.path)])
        }
        return loaded
    }

    /// Adds a hint to a start-up failure when the master key was only just generated: the
    /// database was then sealed under a key that is missing from `source`'s path.
    static func explain(_ error: MedStoreError, masterKeyCreated: Bool, source: MasterKeySource) -> MedStoreError {
        guard masterKeyCreated, KeySealer.isWrongMasterKey(error) else { return error }
        return MedStoreError(error.code,
                             "\(error.message) (there was no master key at \(source.path), so a new one was generated there; replace it with the master key this database was sealed with, or pass --master-key-file)")
    }
}
