import MedStoreProtocol

extension BackupInfo {
    /// The backup as a key-value block for people.
    var humanText: String {
        var block = KeyValueWriter()
        block.add("container", container + (exists ? "" : " (deleted)"))
        block.add("earliest restore point", earliestRestorePoint ?? "none")
        block.add("latest restore point", latestRestorePoint.map { exists ? "now (\($0))" : $0 } ?? "none")
        block.add("retention", "\(retentionDays) days")
        block.add("live blobs", String(liveBlobs))
        block.add("versions retained", String(versionsRetained))
        block.add("bytes retained", ByteCount.format(bytesRetained) + " beyond the live data")
        if let lastPruneAt {
            block.add("last prune", "\(lastPruneAt): removed \(lastPruneVersionsRemoved ?? 0) versions, freed "
                      + ByteCount.format(lastPruneBytesFreed ?? 0))
        } else {
            block.add("last prune", "none yet")
        }
        return block.render()
    }
}
