import Foundation

/// Looks up users and groups in the system databases (`/etc/passwd`, `/etc/group`, NSS).
public enum SystemAccounts {
    /// The uid for a user name or a decimal uid; nil when the name is unknown.
    public static func uid(_ nameOrNumber: String) -> UInt32? {
        if let number = UInt32(nameOrNumber) { return number }
        return withBuffer { buffer in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            guard getpwnam_r(nameOrNumber, &entry, buffer.baseAddress!, buffer.count, &result) == 0, result != nil else { return nil }
            return entry.pw_uid
        }
    }

    /// The gid for a group name or a decimal gid; nil when the name is unknown.
    public static func gid(_ nameOrNumber: String) -> UInt32? {
        if let number = UInt32(nameOrNumber) { return number }
        return withBuffer { buffer in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            guard getgrnam_r(nameOrNumber, &entry, buffer.baseAddress!, buffer.count, &result) == 0, result != nil else { return nil }
            return entry.gr_gid
        }
    }

    /// The name of user `uid`, if known.
    public static func userName(_ uid: UInt32) -> String? {
        withBuffer { buffer in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            guard getpwuid_r(uid, &entry, buffer.baseAddress!, buffer.count, &result) == 0, result != nil,
                  let name = entry.pw_name else { return nil }
            return String(cString: name)
        }
    }

    /// The name of group `gid`, if known.
    public static func groupName(_ gid: UInt32) -> String? {
        withBuffer { buffer in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            guard getgrgid_r(gid, &entry, buffer.baseAddress!, buffer.count, &result) == 0, result != nil,
                  let name = entry.gr_name else { return nil }
            return String(cString: name)
        }
    }

    private static func withBuffer<T>(_ body: (UnsafeMutableBufferPointer<CChar>) -> T?) -> T? {
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: 16 * 1024)
        defer { buffer.deallocate() }
        return body(buffer)
    }
}
