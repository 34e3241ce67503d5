import Foundation
import MedStoreCore
import MedStoreProtocol

extension ControlServer {
    /// Gives the socket file of `listener` the group `group` (a name or gid), so that members
    /// can connect through its 0660 mode.
    static func setGroup(_ group: String, of listener: UnixListener) throws(MedStoreError) {
        guard let gid = SystemAccounts.gid(group) else {
            listener.close()
            throw MedStoreError(.invalidArgument, "socket group '\(group)' does not exist")
        }
        guard chown(listener.path, uid_t.max, gid) == 0 else {
            let message = String(cString: strerror(errno))
            listener.close()
            throw MedStoreError(.unavailable, "cannot give \(listener.path) the group \(group): \(message)")
        }
    }
}
