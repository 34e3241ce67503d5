/// Bytes received and made durable but not yet part of any blob: a data file already in its final
/// place (written under `blobs/tmp/`, fsynced, renamed, directory fsynced) that no row references.
///
/// Hand it to exactly one of `putBlob`, `putBlock` (which take ownership: on success it becomes
/// the blob's or block's data, on failure it is removed) or `discard`. A staged file left behind
/// by a crash is removed by the next `sweepOrphans()`.
public struct StagedData: Sendable, Equatable {
    /// The data file's name (32 hex digits).
    public let fileName: String
    /// Absolute path of the data file.
    public let path: String
    /// Bytes received.
    public let size: Int64
    /// MD5 of the bytes, computed while they streamed in.
    public let md5: [UInt8]
}
