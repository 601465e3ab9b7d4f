//! Development mode's demo tenants and the people who can sign in to them.

use consent_core::{Region, Role, Tenant};

/// A person development mode can issue a token for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevIdentity {
    pub tenant: &'static str,
    pub role: Role,
    /// The token's `sub`.
    pub id: &'static str,
    pub name: &'static str,
}

/// One admin and one reader for each demo tenant.
pub const DEV_IDENTITIES: [DevIdentity; 4] = [
    DevIdentity {
        tenant: "contoso",
        role: Role::Admin,
        id: "contoso-admin",
        name: "Ada Admin",
    },
    DevIdentity {
        tenant: "contoso",
        role: Role::Reader,
        id: "contoso-reader",
        name: "Rita Reader",
    },
    DevIdentity {
        tenant: "fabrikam",
        role: Role::Admin,
        id: "fabrikam-admin",
        name: "Felix Admin",
    },
    DevIdentity {
        tenant: "fabrikam",
        role: Role::Reader,
        id: "fabrikam-reader",
        name: "Frieda Reader",
    },
];

/// The demo tenants: one in the United States, one outside it (Copilot ineligible).
pub fn dev_tenants() -> [Tenant; 2] {
    [
        Tenant {
            id: "contoso".into(),
            name: "Contoso".into(),
            region: Region::new("US"),
        },
        Tenant {
            id: "fabrikam".into(),
            name: "Fabrikam".into(),
            region: Region::new("EU"),
        },
    ]
}

/// The development identity for `tenant` and `role`, if there is one.
pub fn dev_identity(tenant: &str, role: Role) -> Option<DevIdentity> {
    DEV_IDENTITIES
        .into_iter()
        .find(|i| i.tenant == tenant && i.role == role)
}
