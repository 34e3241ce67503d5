import Foundation
import Testing
@testable import MedStoreProtocol

/// Checks `Protocol/vectors/frames.json` (written by cbor2, an independent encoder).
@Suite("Protocol vectors")
struct ProtocolVectorTests {
    struct Vector { let name: String; let frame: [UInt8]; let decoded: JSONValue }

    /// A JSON value that keeps booleans and unsigned integers apart.
    indirect enum JSONValue: Decodable {
        case bool(Bool), unsigned(UInt64), text(String), array([JSONValue]), object([String: JSONValue]), other

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(UInt64.self) { self = .unsigned(n) }
            else if let s = try? c.decode(String.self) { self = .text(s) }
            else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
            else if let o = try? c.decode([String: JSONValue].self) { self = .object(o) }
            else { self = .other }
        }
    }

    struct File: Decodable {
        struct Entry: Decodable { let name: String; let hex: String; let decoded: JSONValue }
        let vectors: [Entry]
    }

    static func loadVectors() throws -> [Vector] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Protocol/vectors/frames.json"))
        return try JSONDecoder().decode(File.self, from: data).vectors.map { v in
            var bytes: [UInt8] = []
            var index = v.hex.startIndex
            while index < v.hex.endIndex {
                let next = v.hex.index(index, offsetBy: 2)
                bytes.append(UInt8(v.hex[index..<next], radix: 16)!)
                index = next
            }
            return Vector(name: v.name, frame: bytes, decoded: v.decoded)
        }
    }

    /// Whether a decoded CBOR value means the same as the JSON in the vector file.
    static func matches(_ cbor: CBORValue, _ json: JSONValue) -> Bool {
        switch (cbor, json) {
        case (.unsigned(let a), .unsigned(let b)): return a == b
        case (.text(let a), .text(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.array(let items), .array(let array)):
            return items.count == array.count && zip(items, array).allSatisfy { matches($0, $1) }
        case (.map(let entries), .object(let object)):
            return object.count == entries.count && entries.allSatisfy { entry in
                guard let key = entry.key.textValue, let value = object[key] else { return false }
                return matches(entry.value, value)
            }
        default: return false
        }
    }

    @Test func everyVectorDecodesToItsMeaningAndReencodesToItsBytes() throws {
        let vectors = try Self.loadVectors()
        #expect(vectors.count >= 10)
        for vector in vectors {
            var decoder = FrameDecoder()
            decoder.append(vector.frame)
            let payload = try #require(try decoder.nextFrame(), "\(vector.name)")
            let value = try CBORSerialization.decode(payload, limits: ProtocolLimits.cbor)
            #expect(Self.matches(value, vector.decoded), "\(vector.name)")
            #expect(try FrameEncoder.frame(CBORSerialization.encode(value)) == vector.frame, "\(vector.name)")
        }
    }

    @Test func typedMessagesEncodeToTheVectorBytes() throws {
        let vectors = Dictionary(uniqueKeysWithValues: try Self.loadVectors().map { ($0.name, $0.frame) })
        let hello = RequestEnvelope(id: 1, method: Hello.name,
                                    params: try CBOREncoder().encode(Hello.Params(client: "medctl/0.1.0", protocolMinor: 0)))
        #expect(try FrameEncoder.frame(hello.encoded()) == vectors["hello request"])

        let create = RequestEnvelope(id: 3, method: ContainerCreate.name,
                                     params: try CBOREncoder().encode(ContainerCreate.Params(name: "patient-records")))
        #expect(try FrameEncoder.frame(create.encoded()) == vectors["container.create request"])

        let created = ResponseEnvelope(id: 3, outcome: .result(try CBOREncoder().encode(
            ContainerInfo(name: "patient-records", createdAt: "2026-12-04T19:25:11Z"))))
        #expect(try FrameEncoder.frame(created.encoded()) == vectors["container.create reply"])

        let failure = ResponseEnvelope(id: 4, outcome: .error(MedStoreError(.containerNotFound, "container 'scans' does not exist")))
        #expect(try FrameEncoder.frame(failure.encoded()) == vectors["error reply"])

        let token = RequestEnvelope(id: 300, method: TokenBlob.name, params: try CBOREncoder().encode(
            TokenBlob.Params(container: "patient-records", blob: "scans/2026/img-001.dcm",
                             options: TokenOptions(permissions: "rw", ttlSeconds: 3600, ip: "10.0.0.1-10.0.0.255", httpsOnly: true))))
        #expect(try FrameEncoder.frame(token.encoded()) == vectors["token.blob request"])
    }

    @Test func typedRepliesDecodeFromTheVectors() throws {
        let vectors = Dictionary(uniqueKeysWithValues: try Self.loadVectors().map { ($0.name, $0.frame) })
        let helloReply = try ResponseEnvelope.decode(Array(try #require(vectors["hello reply"]).dropFirst(4)))
        guard case .result(let helloValue) = helloReply.outcome else { Issue.record("not a result"); return }
        let hello = try CBORDecoder().decode(Hello.Result.self, from: helloValue)
        #expect(hello.protocolMajor == 1 && hello.maxFrameBytes == 1_048_576 && hello.methods == ["hello", "status"])

        let tokenReply = try ResponseEnvelope.decode(Array(try #require(vectors["token reply"]).dropFirst(4)))
        guard case .result(let tokenValue) = tokenReply.outcome else { Issue.record("not a result"); return }
        let token = try CBORDecoder().decode(IssuedToken.self, from: tokenValue)
        #expect(token.signedWith == .primary && token.start == nil && token.expiry == "2026-01-02T00:00:00Z")

        let big = try ResponseEnvelope.decode(Array(try #require(vectors["connection error"]).dropFirst(4)))
        #expect(big.id == 0 && big.outcome == .error(MedStoreError(.protocolError, "empty frame")))
    }
}
