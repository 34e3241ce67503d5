import MedStoreProtocol

/// `frame`: the bytes a peer writes to the control socket, through ``FrameDecoder``.
///
/// Invariants: the stream splits into the same frames, and ends in the same error or the same
/// number of waiting bytes, whether it arrives at once, byte by byte or in pieces of 7; the
/// frames, put back behind their length prefixes by ``FrameEncoder``, are exactly the bytes they
/// were cut from. Each frame's payload then goes through ``PayloadHarness`` (at most
/// `maxPayloadsChecked` of them, so one input stays fast).
enum FrameHarness {
    static let maxPayloadsChecked = 8

    /// The frames cut from a stream and how it ended.
    struct Split: Equatable {
        var frames: [[UInt8]]
        /// The decoder's error, if it refused the stream.
        var error: MedStoreError?
        /// Bytes left waiting for the rest of a frame (0 after an error, where it depends on
        /// how much had arrived).
        var pending: Int
    }

    static func run(_ input: [UInt8]) throws(FuzzFinding) -> Set<FuzzMilestone> {
        let whole = split(input, pieceSize: max(1, input.count))
        for pieceSize in [1, 7] {
            let pieces = split(input, pieceSize: pieceSize)
            guard pieces == whole else {
                throw FuzzFinding(.frame, "delivered in pieces of \(pieceSize) bytes the stream splits into \(pieces.frames.count) frame(s) "
                                  + "ending in \(describe(pieces)), at once into \(whole.frames.count) ending in \(describe(whole))")
            }
        }
        var rebuilt: [UInt8] = []
        for frame in whole.frames {
            do {
                rebuilt += try FrameEncoder.frame(frame)
            } catch {
                throw FuzzFinding(.frame, "a decoded frame of \(frame.count) bytes does not encode: \(error)")
            }
        }
        guard rebuilt[...] == input.prefix(rebuilt.count) else {
            throw FuzzFinding(.frame, "the decoded frames re-encoded differ from the bytes they were cut from")
        }
        if whole.error == nil && rebuilt.count + whole.pending != input.count {
            throw FuzzFinding(.frame, "\(rebuilt.count) bytes of frames and \(whole.pending) waiting do not add up to the \(input.count) received")
        }
        var reached: Set<FuzzMilestone> = whole.frames.isEmpty ? [] : [.frameDecoded]
        for payload in whole.frames.prefix(maxPayloadsChecked) {
            reached.formUnion(try PayloadHarness.run(payload, as: .frame))
        }
        return reached
    }

    /// Feeds `input` to a fresh decoder `pieceSize` bytes at a time, taking every frame out
    /// after each piece.
    static func split(_ input: [UInt8], pieceSize: Int) -> Split {
        var decoder = FrameDecoder()
        var frames: [[UInt8]] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + pieceSize)
            decoder.append(input[offset..<end])
            offset = end
            do {
                while let frame = try decoder.nextFrame() { frames.append(frame) }
            } catch {
                return Split(frames: frames, error: error, pending: 0)
            }
        }
        return Split(frames: frames, error: nil, pending: decoder.pendingByteCount)
    }

    private static func describe(_ split: Split) -> String {
        split.error.map { "error '\($0.message)'" } ?? "\(split.pending) waiting byte(s)"
    }
}
