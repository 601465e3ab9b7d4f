//! Tenants, their region, and the people acting on them.

use serde::{Deserialize, Serialize};

/// A tenant's geographic region as an upper-case code (`US`, `EU`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub region: Region,
}

/// The longest tenant id the API accepts.
pub const MAX_TENANT_ID_LEN: usize = 64;

/// Whether `id` can be a tenant id: 1 to [`MAX_TENANT_ID_LEN`] ASCII letters,
/// digits, `-`, `_` or `.`. Anything else names no tenant, so a path carrying
/// it is answered like an unknown tenant; it also keeps ids safe to put in a
/// file name (the history download).
pub fn is_valid_tenant_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_TENANT_ID_LEN
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The longest region code a tenant may have.
pub const MAX_REGION_LEN: usize = 16;

/// The longest display name a tenant may have, in characters.
pub const MAX_TENANT_NAME_LEN: usize = 200;

/// Why a tenant's id, name or region cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantProblem {
    #[error(
        "the tenant id must be 1 to {MAX_TENANT_ID_LEN} ASCII letters, digits, '-', '_' or '.'"
    )]
    BadId,
    #[error("the name must be 1 to {MAX_TENANT_NAME_LEN} characters, none a control character")]
    BadName,
    #[error("the region must be a code of 1 to {MAX_REGION_LEN} letters, such as US or EU")]
    BadRegion,
}

impl TenantProblem {
    /// The field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            TenantProblem::BadId => "id",
            TenantProblem::BadName => "name",
            TenantProblem::BadRegion => "region",
        }
    }
}

/// The region of code `code`, checked as sent (before any trimming): 1 to
/// [`MAX_REGION_LEN`] ASCII letters, any case (stored upper-case).
pub fn checked_region(code: &str) -> Result<Region, TenantProblem> {
    if (1..=MAX_REGION_LEN).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(Region::new(code))
    } else {
        Err(TenantProblem::BadRegion)
    }
}

/// Whether `name` can be a tenant's display name: 1 to
/// [`MAX_TENANT_NAME_LEN`] characters, none a control character (they have
/// no place in a name, and PostgreSQL's text cannot hold NUL at all).
pub fn is_valid_tenant_name(name: &str) -> bool {
    (1..=MAX_TENANT_NAME_LEN).contains(&name.chars().count())
        && !name.chars().any(char::is_control)
        && !name.trim().is_empty()
}

/// A tenant to register, every part checked.
pub fn checked_tenant(id: &str, name: &str, region: &str) -> Result<Tenant, TenantProblem> {
    if !is_valid_tenant_id(id) {
        return Err(TenantProblem::BadId);
    }
    if !is_valid_tenant_name(name) {
        return Err(TenantProblem::BadName);
    }
    Ok(Tenant {
        id: id.to_owned(),
        name: name.to_owned(),
        region: checked_region(region)?,
    })
}

/// What a signed-in person may do with a tenant's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
}

/// The id of the service itself when it records an event no person made
/// (a deletion deadline passing).
pub const CONSENT_SERVICE_ACTOR_ID: &str = "system";

impl Actor {
    /// The service itself, as recorded on events no person made. It holds no role.
    pub fn consent_service() -> Actor {
        Actor {
            id: CONSENT_SERVICE_ACTOR_ID.to_owned(),
            name: "Consent service".to_owned(),
            roles: Vec::new(),
        }
    }

    /// The short reference stored beside a program's state.
    pub fn reference(&self) -> ActorRef {
        ActorRef {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }
}

/// Who last changed something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        for (code, us) in [
            ("US", true),
            ("us", true),
            (" us ", true),
            ("EU", false),
            ("USA", false),
            ("", false),
        ] {
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

    // Guards which path segments can name a tenant; the rest answer 404.
    #[test]
    fn tenant_id_shape() {
        let long = "a".repeat(MAX_TENANT_ID_LEN);
        let too_long = "a".repeat(MAX_TENANT_ID_LEN + 1);
        for (id, ok) in [
            ("contoso", true),
            ("t-0123456789ab", true),
            ("Org_1.eu", true),
            (long.as_str(), true),
            ("", false),
            (too_long.as_str(), false),
            ("con/toso", false),
            ("con toso", false),
            ("..", false),
            (".", false),
            ("contoso%2F", false),
            ("caf\u{e9}", false),
            ("a\"b", false),
        ] {
            assert_eq!(is_valid_tenant_id(id), ok, "{id:?}");
        }
    }

    // Guards the system actor recorded on events no person made.
    #[test]
    fn the_consent_service_holds_no_role() {
        let service = Actor::consent_service();
        assert_eq!(service.id, "system");
        assert!(!can_edit(&service.roles));
    }
}
