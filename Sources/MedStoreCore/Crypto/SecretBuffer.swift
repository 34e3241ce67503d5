#if canImport(Glibc)
import Glibc
#endif
import CMedStoreShims

/// One heap buffer for key material (account keys, the master key).
///
/// The allocation is page-aligned and a whole number of pages, so `mlock` pins only this secret
/// and `munlock` cannot unpin a neighbour's page. Locking is best effort (a small
/// `RLIMIT_MEMLOCK` makes it fail, which is ignored). On release the bytes are wiped with
/// `OPENSSL_cleanse`, the pages unlocked and freed. The contents are written once right after
/// allocation and never changed, so sharing the buffer across threads is safe.
final class SecretBuffer: @unchecked Sendable {
    /// The usable bytes (exactly the requested count).
    let bytes: UnsafeMutableRawBufferPointer
    private let allocation: UnsafeMutableRawBufferPointer
    private let isLocked: Bool

    /// Allocates `count` zeroed bytes and tries to lock them in memory.
    init(count: Int) {
        precondition(count > 0, "a secret buffer needs at least one byte")
        let page = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)
        let size = (count + page - 1) / page * page
        allocation = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: page)
        allocation.initializeMemory(as: UInt8.self, repeating: 0)
        isLocked = mlock(allocation.baseAddress!, size) == 0
        bytes = UnsafeMutableRawBufferPointer(rebasing: allocation[0..<count])
    }

    /// Zeroes the usable bytes now (the buffer stays allocated and locked).
    func wipe() {
        medstore_cleanse(bytes.baseAddress!, bytes.count)
    }

    deinit {
        medstore_cleanse(allocation.baseAddress!, allocation.count)
        if isLocked { _ = munlock(allocation.baseAddress!, allocation.count) }
        allocation.deallocate()
    }
}
