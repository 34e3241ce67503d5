import Foundation
import MedStoreCore
import MedStoreProtocol

extension BlobAPIHandler {
    /// Put Block: stages one uncommitted block.
    func putBlock(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        guard let blockID = call.query["blockid"], !blockID.isEmpty else {
            throw MedStoreError(.invalidQueryParameterValue, "Value for one of the query parameters specified in the request URI is invalid: blockid")
        }
        let staged = try stageBody(call, maxBytes: Self.maxBlockBytes)
        try blobs.putBlock(container: call.container, name: call.blob, blockID: blockID, data: staged)
        var headers = HTTPHeaders()
        headers.set("Content-MD5", Crypto.base64Encode(staged.md5))
        headers.set("x-ms-request-server-encrypted", "true")
        return HTTPResponse(status: 201, headers: headers)
    }

    /// Put Block List: commits the named blocks as the blob's new content.
    func putBlockList(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let headers = call.request.headers
        let body = try call.request.body.readAll(limit: Self.maxXMLBodyBytes)
        if let md5 = try RequestHeaders.transactionalMD5(headers), !Crypto.constantTimeEquals(md5, Crypto.md5(body)) {
            throw MedStoreError(.md5Mismatch, "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
        }
        let entries = try BlockListXML.parse(body)
        let content = try RequestHeaders.contentSettings(headers, fallBackToStandard: false)
        let metadata = try RequestHeaders.metadata(headers)
        let conditions = try RequestHeaders.conditions(headers)
        let properties = try refusingOverwrite(call) { () throws(MedStoreError) -> BlobProperties in
            try blobs.putBlockList(container: call.container, name: call.blob, blocks: entries, content: content,
                                   metadata: metadata, conditions: conditions, overwrite: call.identity.mayOverwriteBlobs)
        }
        var response = ResponseHeaders.version(etag: properties.etag, lastModified: properties.lastModified)
        response.set("x-ms-request-server-encrypted", "true")
        return HTTPResponse(status: 201, headers: response)
    }

    /// Get Block List: `blocklisttype=committed|uncommitted|all` (default committed).
    func getBlockList(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let type = (call.query["blocklisttype"] ?? "committed").lowercased()
        guard ["committed", "uncommitted", "all"].contains(type) else {
            throw MedStoreError(.invalidQueryParameterValue, "blocklisttype must be committed, uncommitted or all")
        }
        let list = try blobs.blockList(container: call.container, name: call.blob,
                                       includeCommitted: type != "uncommitted", includeUncommitted: type != "committed")
        if list.properties == nil && list.uncommitted.isEmpty {
            throw MedStoreError(.blobNotFound, "The specified blob does not exist.")
        }
        var xml = XMLWriter()
        xml.open("BlockList")
        for (tag, blocks, wanted) in [("CommittedBlocks", list.committed, type != "uncommitted"),
                                      ("UncommittedBlocks", list.uncommitted, type != "committed")] where wanted {
            xml.open(tag)
            for block in blocks {
                xml.open("Block")
                xml.element("Name", block.id)
                xml.element("Size", "\(block.size)")
                xml.close("Block")
            }
            xml.close(tag)
        }
        xml.close("BlockList")
        var headers = HTTPHeaders()
        if let p = list.properties {
            headers = ResponseHeaders.version(etag: p.etag, lastModified: p.lastModified)
            headers.set("x-ms-blob-content-length", "\(p.size)")
        }
        return Self.xmlResponse(xml, headers: headers)
    }
}
