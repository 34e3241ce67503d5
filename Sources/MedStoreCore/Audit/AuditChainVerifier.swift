import MedStoreProtocol

/// A record as read back from `audit.db` for verification: its fields exactly as stored, and
/// the stored `prev_hash` and `hash` (nil when not a 32-byte blob).
struct AuditStoredRecord: Sendable {
    var fields: [AuditField]
    var prevHash: [UInt8]?
    var hash: [UInt8]?
}

/// Walks the chain in seq order and stops at the first problem (spec §5.2, `audit.verify`):
/// a missing seq (a removed record), a hash that does not match the record's contents (an edited
/// record), a `prev_hash` that is not the previous record's hash (a replaced or reordered one),
/// a start record that found the chain did not match its head (records removed while the daemon
/// was stopped), and, at the end, a chain that stops short of the daemon's head or disagrees with
/// it (the newest records removed, or the chain rewritten). Pure.
struct AuditChainVerifier {
    let head: AuditHead
    private(set) var checked: UInt64 = 0
    private(set) var lastSeq: UInt64 = 0
    private var lastHash = AuditChain.genesis
    private var hashAtHead: [UInt8]?
    private(set) var problem: (seq: UInt64, reason: String)?

    init(head: AuditHead) {
        self.head = head
    }

    /// Checks the next record; returns false once a problem is found (stop reading).
    mutating func check(_ record: AuditStoredRecord) -> Bool {
        guard problem == nil else { return false }
        checked += 1
        guard case .unsigned(let seq) = record.fields.first else {
            problem = (lastSeq + 1, "the record after seq \(lastSeq) has no valid seq (edited)")
            return false
        }
        let expected = lastSeq + 1
        if seq < expected {
            problem = (seq, "seq \(seq) is out of order after seq \(lastSeq) (edited)")
            return false
        }
        if seq != expected {
            let span = seq - expected == 1 ? "seq \(expected) is" : "seqs \(expected)–\(seq - 1) are"
            problem = (expected, "\(span) missing: the record after seq \(lastSeq) is seq \(seq) (removed)")
            return false
        }
        guard let computed = AuditChain.hash(prev: record.prevHash ?? [], fields: record.fields) else {
            problem = (seq, "a field holds a value of the wrong type (edited)")
            return false
        }
        guard let stored = record.hash, stored == computed else {
            problem = (seq, "its hash does not match its contents (edited)")
            return false
        }
        guard record.prevHash == lastHash else {
            problem = (seq, seq == 1 ? "its prev_hash is not the genesis hash (replaced)"
                                      : "its prev_hash is not the hash of seq \(seq - 1) (a record was replaced or reordered)")
            return false
        }
        if record.fields.count > 14, record.fields[2] == .string(AuditRecord.Kind.start.rawValue),
           record.fields[14] != .string(AuditLog.startOK) {
            var why = "the daemon found at this start that the chain did not match its head"
            if case .string(let detail) = record.fields[15] { why += ": \(detail)" }
            problem = (seq, why)
            return false
        }
        lastSeq = seq
        lastHash = stored
        if seq == head.seq { hashAtHead = stored }
        return true
    }

    /// The verdict, after the last record.
    func result() -> AuditVerify.Result {
        var found = problem
        if found == nil {
            if head.seq > lastSeq {
                let span = head.seq == lastSeq + 1 ? "seq \(head.seq) is" : "seqs \(lastSeq + 1)–\(head.seq) are"
                found = (lastSeq + 1, "\(span) missing: the chain ends at seq \(lastSeq) but the daemon's head is seq \(head.seq) (removed)")
            } else if head.seq > 0, hashAtHead != head.hash {
                found = (head.seq, "it does not match the daemon's head (the chain was rewritten)")
            }
        }
        return AuditVerify.Result(ok: found == nil, recordsChecked: checked, lastSeq: lastSeq, headSeq: head.seq,
                                  firstBadSeq: found?.seq, reason: found?.reason)
    }
}
