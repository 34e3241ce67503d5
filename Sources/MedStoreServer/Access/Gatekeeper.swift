import MedStoreCore
import MedStoreProtocol

/// Who is asking, as a handler sees it: the identity from accept, the role now, and the grants
/// that apply (empty for admins and readers).
struct RequestCaller: Sendable {
    /// The kernel's and `/proc`'s account of the caller.
    var identity: CallerIdentity
    /// The role in force for this request.
    var role: Role
    /// The caller's grants, in id order.
    var grants: [Grant]
}

/// Decides, before any handler runs, whether a request may proceed: the caller's role (base
/// role from accept, raised to issuer by a matching grant) against ``MethodPolicy``.
struct Gatekeeper: Sendable {
    let access: AccessControl
    let service: AccountService

    /// The caller as of now: its role (base role from accept, raised to issuer by a matching
    /// grant) and its grants. Fails only when the grants cannot be read.
    func caller(_ identity: CallerIdentity, baseRole: Role) -> Result<RequestCaller, MedStoreError> {
        var grants: [Grant] = []
        if baseRole < .admin {
            do {
                grants = try service.grants(for: identity)
            } catch {
                return .failure(error)
            }
        }
        let role = AccessControl.role(base: baseRole, matchingGrants: grants)
        return .success(RequestCaller(identity: identity, role: role, grants: grants))
    }
}
