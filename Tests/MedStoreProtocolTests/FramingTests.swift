import Testing
@testable import MedStoreProtocol

@Suite("Framing")
struct FramingTests {
    private func payload(_ n: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    @Test func frameHasBigEndianLengthPrefix() throws {
        let frame = try FrameEncoder.frame(payload(0x0102))
        #expect(Array(frame.prefix(4)) == [0x00, 0x00, 0x01, 0x02])
        #expect(frame.count == 4 + 0x0102)
    }

    @Test func byteByByteDeliveryReassembles() throws {
        let frames = try [payload(1), payload(300), payload(70_000)].map { try FrameEncoder.frame($0) }
        var decoder = FrameDecoder()
        var got: [[UInt8]] = []
        for byte in frames.joined() {
            decoder.append([byte])
            while let next = try decoder.nextFrame() { got.append(next) }
        }
        #expect(got == [payload(1), payload(300), payload(70_000)])
        #expect(decoder.pendingByteCount == 0)
    }

    @Test func coalescedFramesAllComeOut() throws {
        var decoder = FrameDecoder()
        let bytes = try (1...50).flatMap { try FrameEncoder.frame(payload($0, seed: UInt8($0))) }
        decoder.append(bytes)
        var count = 0
        while let next = try decoder.nextFrame() {
            count += 1
            #expect(next == payload(count, seed: UInt8(count)))
        }
        #expect(count == 50)
    }

    @Test func partialFrameWaits() throws {
        var decoder = FrameDecoder()
        let frame = try FrameEncoder.frame(payload(100))
        decoder.append(frame.prefix(60))
        #expect(try decoder.nextFrame() == nil)
        decoder.append(frame.dropFirst(60))
        #expect(try decoder.nextFrame() == payload(100))
    }

    @Test(arguments: [UInt32(0x0010_0001), 0xFFFF_FFFF, 0x8000_0000])
    func oversizedLengthIsRefusedBeforeThePayloadArrives(length: UInt32) {
        var decoder = FrameDecoder()
        decoder.append([UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)])
        #expect(throws: MedStoreError.self) { try decoder.nextFrame() }
        do {
            _ = try decoder.nextFrame()
        } catch {
            #expect(error.code == .protocolError)
        }
    }

    @Test func exactlyTheLimitIsAccepted() throws {
        var decoder = FrameDecoder()
        let big = [UInt8](repeating: 0xAB, count: Int(ProtocolLimits.maxFrameBytes))
        decoder.append(try FrameEncoder.frame(big))
        #expect(try decoder.nextFrame()?.count == big.count)
    }

    @Test func encoderRefusesOversizedPayload() {
        #expect(throws: MedStoreError(.resourceExhausted,
                                      "message of 1048577 bytes is over the frame limit of 1048576 bytes")) {
            try FrameEncoder.frame([UInt8](repeating: 0, count: Int(ProtocolLimits.maxFrameBytes) + 1))
        }
    }

    @Test func emptyFrameIsAProtocolError() {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 0])
        #expect(throws: MedStoreError(.protocolError, "empty frame")) { try decoder.nextFrame() }
    }

    @Test func garbageNeverCrashesTheDecoder() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            var decoder = FrameDecoder(maxFrameBytes: 4096)
            var bytes: [UInt8] = []
            for _ in 0..<64 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            decoder.append(bytes)
            while true {
                do {
                    guard let frame = try decoder.nextFrame() else { break }
                    #expect(!frame.isEmpty && frame.count <= 4096)
                    _ = try? RequestEnvelope.decode(frame)
                } catch {
                    #expect(error.code == .protocolError)
                    break
                }
            }
        }
    }
}
