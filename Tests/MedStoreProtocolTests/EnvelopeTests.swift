import Testing
@testable import MedStoreProtocol

@Suite("Envelopes")
struct EnvelopeTests {
    @Test func requestRoundTrips() throws {
        let params = try CBOREncoder().encode(ContainerCreate.Params(name: "scans"))
        let request = RequestEnvelope(id: 42, method: ContainerCreate.name, params: params)
        let decoded = try RequestEnvelope.decode(request.encoded())
        #expect(decoded == request)
        #expect(try CBORDecoder().decode(ContainerCreate.Params.self, from: decoded.params).name == "scans")
    }

    @Test func missingParamsMeansEmptyMap() throws {
        let bytes = CBORSerialization.encode(.map([
            CBORMapEntry(key: .text("id"), value: .unsigned(9)),
            CBORMapEntry(key: .text("method"), value: .text("status")),
        ]))
        let decoded = try RequestEnvelope.decode(bytes)
        #expect(decoded.params == .map([]))
        #expect(decoded.id == 9)
    }

    @Test func requestWithoutIdIsAProtocolError() {
        let bytes = CBORSerialization.encode(.map([CBORMapEntry(key: .text("method"), value: .text("status"))]))
        do {
            _ = try RequestEnvelope.decode(bytes)
            Issue.record("decoded a request without id")
        } catch {
            #expect(error.id == 0)
            #expect(error.error.code == .protocolError)
        }
    }

    @Test func requestWithoutMethodKeepsItsId() {
        let bytes = CBORSerialization.encode(.map([CBORMapEntry(key: .text("id"), value: .unsigned(77))]))
        do {
            _ = try RequestEnvelope.decode(bytes)
            Issue.record("decoded a request without method")
        } catch {
            #expect(error.id == 77)
            #expect(error.error.code == .protocolError)
        }
    }

    @Test func nonMapPayloadIsRefused() {
        for payload: [UInt8] in [[0x01], [0x80], [0x60], [0xff], [0xa1, 0x62, 0x69]] {
            do {
                _ = try RequestEnvelope.decode(payload)
                Issue.record("accepted \(payload)")
            } catch {
                #expect(error.error.code == .protocolError)
            }
        }
    }

    @Test func errorReplyRoundTrips() throws {
        let reply = ResponseEnvelope(id: 5, outcome: .error(MedStoreError(.containerNotFound, "container 'x' does not exist")))
        #expect(try ResponseEnvelope.decode(reply.encoded()) == reply)
    }

    @Test func unknownErrorCodeBecomesInternalKeepingTheName() throws {
        let bytes = CBORSerialization.encode(.map([
            CBORMapEntry(key: .text("id"), value: .unsigned(3)),
            CBORMapEntry(key: .text("error"), value: .map([
                CBORMapEntry(key: .text("code"), value: .text("quotaExceededSomeday")),
                CBORMapEntry(key: .text("message"), value: .text("too much")),
            ])),
        ]))
        let reply = try ResponseEnvelope.decode(bytes)
        #expect(reply.outcome == .error(MedStoreError(.internal, "quotaExceededSomeday: too much")))
    }

    @Test func everyMethodHasAUniqueName() {
        let names = MethodRegistry.names
        #expect(Set(names).count == names.count)
        #expect(names.first == "hello")
        #expect(names.contains("backup.restore") && names.contains("token.revoke") && names.contains("audit.verify"))
    }

    @Test func domainCodesFallBackToGeneralCodes() {
        #expect(ErrorCode.containerNotFound.generalCode == .notFound)
        #expect(ErrorCode.invalidContainerName.generalCode == .invalidArgument)
        #expect(ErrorCode.keyInUse.generalCode == .failedPrecondition)
        #expect(ErrorCode.containerNotFound.azureErrorCode == "ContainerNotFound")
        #expect(ErrorCode.containerNotFound.httpStatus == 404)
        #expect(ErrorCode.unavailable.exitCode == 69)
        for code in ErrorCode.allCases {
            #expect(code.generalCode.generalCode == code.generalCode)
            #expect((400...599).contains(code.httpStatus) || code == .notModified)
        }
    }
}
