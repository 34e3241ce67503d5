import MedStoreProtocol

extension AuditEntry {
    /// `alice(1001) pid 4242`, `uid 1001 pid 4242`, or `-` for a daemon start.
    var callerText: String {
        guard let uid else { return "-" }
        let who = userName.map { "\($0)(\(uid))" } ?? "uid \(uid)"
        return pid.map { "\(who) pid \($0)" } ?? who
    }
}

extension AuditVerify.Result {
    /// One line for people.
    var humanText: String {
        if ok {
            return "Audit chain intact: \(recordsChecked) records, seq 1–\(lastSeq); it reaches the daemon's head (seq \(headSeq))."
        }
        return "Audit chain broken at seq \(firstBadSeq ?? 0): \(reason ?? "unknown reason") (\(recordsChecked) records checked)."
    }
}
