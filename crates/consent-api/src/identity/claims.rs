//! From a verified token's claims to who is calling: a person acting for
//! one tenant with mapped roles, or a service acting across tenants with
//! scopes. Providers name their claims and roles differently; the mapping
//! says which claim holds what.

use consent_core::tenant::is_valid_tenant_id;
use consent_core::{Actor, Role};
use serde_json::{Map, Value};

/// What a service may do; each service route needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Register tenants and change their name and region.
    TenantsWrite,
    /// Read decisions and the change feed.
    DecisionsRead,
    /// Manage webhook subscriptions.
    SubscriptionsWrite,
    /// Attest that a data store deleted shared data.
    DeletionsAttest,
}

impl Scope {
    /// Every scope, in the order the documentation lists them.
    pub const ALL: [Scope; 4] = [
        Scope::TenantsWrite,
        Scope::DecisionsRead,
        Scope::SubscriptionsWrite,
        Scope::DeletionsAttest,
    ];

    /// The scope's name in tokens (`consent.tenants.write`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::TenantsWrite => "consent.tenants.write",
            Scope::DecisionsRead => "consent.decisions.read",
            Scope::SubscriptionsWrite => "consent.subscriptions.write",
            Scope::DeletionsAttest => "consent.deletions.attest",
        }
    }

    fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == name)
    }
}

/// Which claims hold the tenant and the roles, and which role names mean
/// administrator and reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMapping {
    /// The claim naming the tenant (`tenant`; Entra ID: `tid`). A dotted
    /// name reads a nested claim.
    pub tenant_claim: String,
    /// The claim listing the roles (`roles`; Keycloak: `realm_access.roles`).
    pub roles_claim: String,
    /// Role names that make an administrator.
    pub admin_roles: Vec<String>,
    /// Role names that make a reader.
    pub reader_roles: Vec<String>,
}

impl Default for ClaimMapping {
    fn default() -> ClaimMapping {
        ClaimMapping {
            tenant_claim: "tenant".to_owned(),
            roles_claim: "roles".to_owned(),
            admin_roles: vec!["admin".to_owned()],
            reader_roles: vec!["reader".to_owned()],
        }
    }
}

/// A person acting for one tenant.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who is acting, as recorded in the history.
    pub actor: Actor,
    /// The only tenant this caller may see.
    pub tenant_id: String,
}

/// A service (a pipeline, a data store, the portal's provisioning) acting across tenants.
#[derive(Debug, Clone)]
pub struct ServiceCaller {
    /// The service as recorded in the history: its client id, no role.
    pub actor: Actor,
    /// What it may do.
    pub scopes: Vec<Scope>,
}

/// Who a verified token speaks for.
#[derive(Debug, Clone)]
pub enum Principal {
    User(Caller),
    Service(ServiceCaller),
}

/// Why a verified token is still not let in (403: the token is genuine).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unmapped {
    #[error("the token's {claim:?} claim names no tenant")]
    NoTenant { claim: String },
    #[error(
        "the token's {claim:?} claim holds no role this service maps to administrator or reader"
    )]
    NoRole { claim: String },
}

impl ClaimMapping {
    /// Who `claims` (already verified) speak for. A token with any consent
    /// scope is a service; any other is a person, who needs a tenant and a
    /// mapped role.
    pub fn principal(&self, claims: &Map<String, Value>) -> Result<Principal, Unmapped> {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let sub = text("sub").unwrap_or_default();
        let scopes = scopes(claims);
        if !scopes.is_empty() {
            let client = text("azp").or_else(|| text("client_id")).unwrap_or(sub);
            return Ok(Principal::Service(ServiceCaller {
                actor: Actor {
                    id: client.to_owned(),
                    name: client.to_owned(),
                    roles: Vec::new(),
                },
                scopes,
            }));
        }
        let tenant = nested(claims, &self.tenant_claim)
            .and_then(Value::as_str)
            .filter(|tenant| is_valid_tenant_id(tenant))
            .ok_or_else(|| Unmapped::NoTenant {
                claim: self.tenant_claim.clone(),
            })?;
        let roles = self.roles(nested(claims, &self.roles_claim));
        if roles.is_empty() {
            return Err(Unmapped::NoRole {
                claim: self.roles_claim.clone(),
            });
        }
        let name = text("name")
            .or_else(|| text("preferred_username"))
            .unwrap_or(sub);
        Ok(Principal::User(Caller {
            actor: Actor {
                id: sub.to_owned(),
                name: name.to_owned(),
                roles,
            },
            tenant_id: tenant.to_owned(),
        }))
    }

    /// The roles the claim's names map to (a list, or one name), each once, administrator first.
    fn roles(&self, claim: Option<&Value>) -> Vec<Role> {
        let names: Vec<&str> = match claim {
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(name)) => vec![name.as_str()],
            _ => Vec::new(),
        };
        let holds = |mapped: &[String]| names.iter().any(|name| mapped.iter().any(|m| m == name));
        let mut roles = Vec::new();
        if holds(&self.admin_roles) {
            roles.push(Role::Admin);
        }
        if holds(&self.reader_roles) {
            roles.push(Role::Reader);
        }
        roles
    }
}

/// The consent scopes in `scope` (space separated) or `scp` (space
/// separated, or a list); other scopes are ignored.
fn scopes(claims: &Map<String, Value>) -> Vec<Scope> {
    let mut names: Vec<&str> = Vec::new();
    for claim in ["scope", "scp"] {
        match claims.get(claim) {
            Some(Value::String(list)) => names.extend(list.split_whitespace()),
            Some(Value::Array(list)) => names.extend(list.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    let mut scopes: Vec<Scope> = names.into_iter().filter_map(Scope::parse).collect();
    scopes.sort_by_key(|scope| Scope::ALL.iter().position(|s| s == scope));
    scopes.dedup();
    scopes
}

/// The claim at a dotted path (`realm_access.roles`); a claim whose own
/// name holds the dot wins.
fn nested<'a>(claims: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(value) = claims.get(path) {
        return Some(value);
    }
    let mut parts = path.split('.');
    let first = claims.get(parts.next()?)?;
    parts.try_fold(first, |value, part| value.get(part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    // Guards the claim mapping of a provider that names things its own way
    // (Entra ID's tid, portal role names, nested Keycloak roles).
    #[test]
    fn provider_claims_map_to_tenant_roles_and_name() {
        let entra = ClaimMapping {
            tenant_claim: "tid".into(),
            roles_claim: "realm_access.roles".into(),
            admin_roles: vec!["Global admin".into(), "Dynamics 365 admin".into()],
            reader_roles: vec!["Reports reader".into()],
        };
        let token = claims(json!({
            "sub": "u-1", "preferred_username": "uma@contoso.example", "tid": "contoso",
            "realm_access": {"roles": ["Dynamics 365 admin", "Reports reader", "other"]}
        }));
        let Ok(Principal::User(caller)) = entra.principal(&token) else {
            panic!("a person")
        };
        assert_eq!(caller.tenant_id, "contoso");
        assert_eq!(caller.actor.name, "uma@contoso.example");
        assert_eq!(caller.actor.roles, vec![Role::Admin, Role::Reader]);

        let cases = [
            (
                json!({"sub": "u", "tid": "contoso", "realm_access": {"roles": ["admin"]}}),
                Err(Unmapped::NoRole {
                    claim: "realm_access.roles".into(),
                }),
            ),
            (
                json!({"sub": "u", "tenant": "contoso", "realm_access": {"roles": ["Global admin"]}}),
                Err(Unmapped::NoTenant {
                    claim: "tid".into(),
                }),
            ),
            (
                json!({"sub": "u", "tid": "con/toso", "realm_access": {"roles": ["Global admin"]}}),
                Err(Unmapped::NoTenant {
                    claim: "tid".into(),
                }),
            ),
        ];
        for (token, expected) in cases {
            assert_eq!(
                entra.principal(&claims(token.clone())).map(|_| ()),
                expected,
                "{token}"
            );
        }
        // One role as a plain string counts too; the name falls back to the subject.
        let Ok(Principal::User(caller)) = ClaimMapping::default().principal(&claims(
            json!({"sub": "u-2", "tenant": "fabrikam", "roles": "reader"}),
        )) else {
            panic!("a person")
        };
        assert_eq!(
            (caller.actor.name.as_str(), caller.actor.roles),
            ("u-2", vec![Role::Reader])
        );
    }

    // Guards that a consent scope makes a service, named by its client id.
    #[test]
    fn scopes_make_a_service_named_by_its_client() {
        let mapping = ClaimMapping::default();
        for (token, id, scopes) in [
            (
                json!({"sub": "s", "azp": "pipeline", "client_id": "x", "scope": "openid consent.decisions.read"}),
                "pipeline",
                vec![Scope::DecisionsRead],
            ),
            (
                json!({"sub": "s", "client_id": "eraser", "scp": "consent.deletions.attest consent.tenants.write"}),
                "eraser",
                vec![Scope::TenantsWrite, Scope::DeletionsAttest],
            ),
            (
                json!({"sub": "store-7", "scp": ["consent.subscriptions.write"], "tenant": "contoso", "roles": ["admin"]}),
                "store-7",
                vec![Scope::SubscriptionsWrite],
            ),
        ] {
            let Ok(Principal::Service(service)) = mapping.principal(&claims(token.clone())) else {
                panic!("a service: {token}")
            };
            assert_eq!(service.actor.id, id);
            assert!(service.actor.roles.is_empty());
            assert_eq!(service.scopes, scopes);
        }
        // Scopes of other APIs do not make a service.
        let other = claims(
            json!({"sub": "u", "scope": "openid profile", "tenant": "contoso", "roles": ["admin"]}),
        );
        assert!(matches!(mapping.principal(&other), Ok(Principal::User(_))));
    }
}
