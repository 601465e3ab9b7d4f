//! Tenants, their region, and the people acting on them.

use serde::{Deserialize, Serialize};

/// A tenant's geographic region as an upper-case code (`US`, `EU`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Region(pub String);

impl Region {
    /// Builds a region from any casing of its code.
    pub fn new(code: &str) -> Region {
        Region(code.trim().to_ascii_uppercase())
    }

    /// Whether the tenant is located in the United States region.
    pub fn is_united_states(&self) -> bool {
        self.0 == "US"
    }

    /// The region code.
    pub fn code(&self) -> &str {
        &self.0
    }
}

/// A tenant (the organisation whose data may be shared).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub region: Region,
}

/// What a signed-in person may do with a tenant's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May change the data-sharing settings.
    Admin,
    /// May only read them.
    Reader,
}

impl Role {
    /// Parses the role as written in tokens and requests.
    pub fn parse(role: &str) -> Option<Role> {
        match role {
            "admin" => Some(Role::Admin),
            "reader" => Some(Role::Reader),
            _ => None,
        }
    }
}

/// Whether someone holding these roles may change settings.
pub fn can_edit(roles: &[Role]) -> bool {
    roles.contains(&Role::Admin)
}

/// The person behind a request, as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    /// The short reference stored beside a program's state.
    pub fn reference(&self) -> ActorRef {
        ActorRef { id: self.id.clone(), name: self.name.clone() }
    }
}

/// Who last changed something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRef {
    pub id: String,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the region test that gates the Copilot program.
    #[test]
    fn only_us_is_united_states() {
        for (code, us) in [("US", true), ("us", true), (" us ", true), ("EU", false), ("USA", false), ("", false)] {
            assert_eq!(Region::new(code).is_united_states(), us, "region {code:?}");
        }
    }

    // Guards that only admins may change settings.
    #[test]
    fn only_admins_edit() {
        assert!(can_edit(&[Role::Admin]));
        assert!(can_edit(&[Role::Reader, Role::Admin]));
        assert!(!can_edit(&[Role::Reader]));
        assert!(!can_edit(&[]));
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse("Admin"), None);
    }
}
