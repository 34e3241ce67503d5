import Foundation
import MedStoreCore
import MedStoreProtocol

extension BlobAPIHandler {
    /// List Containers: `GET /<account>?comp=list[&prefix][&marker][&maxresults][&include=metadata]`.
    func listContainers(_ call: Call, accountName: String) throws(MedStoreError) -> HTTPResponse {
        let maxResults = try call.query.maxResults()
        let includeMetadata = (call.query["include"] ?? "").split(separator: ",").contains("metadata")
        let page = try service.listContainers(prefix: call.query["prefix"], marker: call.query["marker"],
                                              limit: UInt64(maxResults))
        var xml = XMLWriter()
        xml.open("EnumerationResults", [("ServiceEndpoint", serviceEndpoint(call, accountName: accountName))])
        xml.element("Prefix", call.query["prefix"])
        xml.element("Marker", call.query["marker"])
        xml.element("MaxResults", "\(maxResults)")
        xml.open("Containers")
        for container in page.containers {
            guard let properties = try? blobs.containerProperties(container: container.name) else { continue }
            xml.open("Container")
            xml.element("Name", container.name)
            xml.open("Properties")
            xml.element("Last-Modified", RFC1123Date.format(properties.lastModified))
            xml.element("Etag", properties.etag)
            xml.element("LeaseStatus", "unlocked")
            xml.element("LeaseState", "available")
            xml.element("HasImmutabilityPolicy", "false")
            xml.element("HasLegalHold", "false")
            xml.close("Properties")
            if includeMetadata { Self.writeMetadata(properties.metadata, to: &xml) }
            xml.close("Container")
        }
        xml.close("Containers")
        xml.element("NextMarker", page.nextMarker ?? "")
        xml.close("EnumerationResults")
        return Self.xmlResponse(xml)
    }

    /// Get Account Information: the SKU and kind the SDKs ask for.
    func getAccountInfo() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("x-ms-sku-name", "Standard_LRS")
        headers.set("x-ms-account-kind", "StorageV2")
        headers.set("x-ms-is-hns-enabled", "false")
        return HTTPResponse(status: 200, headers: headers)
    }

    /// Get Blob Service Properties: the stored document, or Azure's defaults.
    func getServiceProperties() throws(MedStoreError) -> HTTPResponse {
        let stored = try service.serviceProperties()
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/xml"],
                            body: .bytes(Array((stored ?? Self.defaultServiceProperties).utf8)))
    }

    /// Set Blob Service Properties: keeps the document (it has no effect on this service).
    func setServiceProperties(_ call: Call) throws(MedStoreError) -> HTTPResponse {
        let body = try call.request.body.readAll(limit: 64 * 1024)
        guard let text = String(validating: body, as: UTF8.self), text.contains("<StorageServiceProperties") else {
            throw MedStoreError(.invalidXmlDocument, "XML specified is not syntactically valid: expected <StorageServiceProperties>")
        }
        try service.setServiceProperties(text)
        return HTTPResponse(status: 202)
    }

    static let defaultServiceProperties = """
        <?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Logging><Version>1.0</Version><Read>false</Read>\
        <Write>false</Write><Delete>false</Delete><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy></Logging>\
        <HourMetrics><Version>1.0</Version><Enabled>false</Enabled><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>\
        </HourMetrics><MinuteMetrics><Version>1.0</Version><Enabled>false</Enabled><RetentionPolicy><Enabled>false</Enabled>\
        </RetentionPolicy></MinuteMetrics><Cors /><DeleteRetentionPolicy><Enabled>false</Enabled></DeleteRetentionPolicy>\
        <StaticWebsite><Enabled>false</Enabled></StaticWebsite></StorageServiceProperties>
        """

    /// The account's URL as the request addressed it.
    func serviceEndpoint(_ call: Call, accountName: String) -> String {
        let scheme = call.request.isTLS ? "https" : "http"
        let host = call.request.headers["Host"] ?? "127.0.0.1"
        return "\(scheme)://\(host)/\(accountName)/"
    }

    static func writeMetadata(_ metadata: [(String, String)], to xml: inout XMLWriter) {
        xml.open("Metadata")
        for (name, value) in metadata { xml.element(name, value) }
        xml.close("Metadata")
    }

    static func xmlResponse(_ xml: XMLWriter, status: Int = 200, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.set("Content-Type", "application/xml")
        return HTTPResponse(status: status, headers: headers, body: .bytes(xml.bytes))
    }
}
