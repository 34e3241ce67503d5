#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MedStoreProtocol

extension BlobStore {
    /// Reads one version's bytes `[offset, offset + length)` through its extents, without the
    /// store lock. Its data files stay on disk until `close()` (or deinit). Use from one thread at a
    /// time (it may move between threads).
    public final class BlobReader: @unchecked Sendable {
        /// A piece of a data file.
        struct Segment {
            var dataFile: Int64
            var path: String
            var fileOffset: Int64
            var length: Int64
        }

        /// The version being read.
        public let properties: BlobProperties
        /// First blob byte this reader returns.
        public let offset: Int64
        /// Bytes this reader returns in total.
        public let length: Int64

        private let segments: [Segment]
        private var segmentIndex = 0
        private var segmentPosition: Int64 = 0
        private var fd: Int32 = -1
        private var openPath: String?
        private var release: (() -> Void)?

        init(properties: BlobProperties, offset: Int64, segments: [Segment], release: @escaping () -> Void) {
            self.properties = properties
            self.offset = offset
            self.segments = segments
            self.length = segments.reduce(0) { $0 + $1.length }
            self.release = release
        }

        deinit { close() }

        /// Fills `buffer` with the next bytes; returns how many (0 at the end).
        ///
        /// - Throws: `.internal` if a data file is missing or shorter than recorded (the blob is
        ///   damaged: never served as zeros or as a short body).
        public func read(into buffer: UnsafeMutableRawBufferPointer) throws(MedStoreError) -> Int {
            guard release != nil else { throw MedStoreError(.internal, "read from a closed blob reader") }
            while segmentIndex < segments.count {
                let segment = segments[segmentIndex]
                let remaining = segment.length - segmentPosition
                if remaining == 0 {
                    segmentIndex += 1
                    segmentPosition = 0
                    continue
                }
                guard buffer.count > 0 else { return 0 }
                let fd = try descriptor(for: segment.path)
                let want = Int(min(Int64(buffer.count), remaining))
                let n = try BlobFiles.pread(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]),
                                            at: segment.fileOffset + segmentPosition, path: segment.path)
                guard n > 0 else {
                    throw MedStoreError(.internal, "blob data file \(segment.path) is shorter than recorded; the blob is damaged")
                }
                segmentPosition += Int64(n)
                return n
            }
            return 0
        }

        /// Closes the open file and releases the data files (idempotent).
        public func close() {
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
            openPath = nil
            let release = self.release
            self.release = nil
            release?()
        }

        private func descriptor(for path: String) throws(MedStoreError) -> Int32 {
            if path == openPath { return fd }
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
            openPath = nil
            do {
                fd = try BlobFiles.open(path, O_RDONLY)
            } catch {
                throw MedStoreError(.internal, "blob data file is missing or unreadable (\(error.message)); the blob is damaged")
            }
            openPath = path
            return fd
        }
    }
}
