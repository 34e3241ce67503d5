import Foundation
import MedStoreProtocol

extension AccountService {
    /// The Blob service properties document last set through the REST API, if any.
    public func serviceProperties() throws(MedStoreError) -> String? {
        try locked { () throws(MedStoreError) -> String? in
            try db.query("SELECT value FROM settings WHERE key = 'blob-service-properties'").first?.text(0)
        }
    }

    /// Keeps a Blob service properties document (it is returned as set; it changes no behaviour).
    public func setServiceProperties(_ xml: String) throws(MedStoreError) {
        try locked { () throws(MedStoreError) in
            _ = try requireAccount()
            try db.query("INSERT INTO settings (key, value) VALUES ('blob-service-properties', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         [.text(xml)])
        }
    }
}
