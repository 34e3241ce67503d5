/// Every method of protocol v1, in the order the spec lists them.
public enum MethodRegistry {
    /// Method types.
    public static let all: [any RPCMethod.Type] = [
        Hello.self, Status.self,
        AccountCreate.self, AccountImport.self, AccountShow.self, AccountDelete.self,
        KeysShow.self, KeysSwitch.self, KeysRegenerate.self,
        ContainerCreate.self, ContainerList.self, ContainerShow.self, ContainerDelete.self,
        TokenContainer.self, TokenBlob.self,
        IPList.self, IPAllow.self, IPRemove.self,
        GrantAdd.self, GrantList.self, GrantRemove.self,
        TokenList.self, TokenRevoke.self,
        BackupShow.self, BackupRestore.self, BackupDeleted.self, BackupPrune.self,
        AuditList.self, AuditVerify.self,
    ]

    /// Method names.
    public static var names: [String] { all.map { $0.name } }
}
