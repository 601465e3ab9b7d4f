//! The data-sharing programs a tenant can join.

use serde::{Deserialize, Serialize};

/// One data-sharing program. The wire id is the lowercase variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgramId {
    /// Copilot AI features data sharing (US-region tenants only).
    Copilot,
    /// Marketing: human review of anonymized customer data.
    Marketing,
}

impl ProgramId {
    /// Every program, in the order the settings list shows them.
    pub const ALL: [ProgramId; 2] = [ProgramId::Copilot, ProgramId::Marketing];

    /// The id used in API paths and bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            ProgramId::Copilot => "copilot",
            ProgramId::Marketing => "marketing",
        }
    }

    /// Parses the API id (`copilot`, `marketing`).
    pub fn parse(id: &str) -> Option<ProgramId> {
        ProgramId::ALL.into_iter().find(|p| p.as_str() == id)
    }

    /// The last segment of the settings panel's route (`/settings/<slug>`).
    pub fn panel_slug(self) -> &'static str {
        match self {
            ProgramId::Copilot => "copilot-data-sharing",
            ProgramId::Marketing => "marketing-data-sharing",
        }
    }

    /// Parses a panel route slug.
    pub fn from_panel_slug(slug: &str) -> Option<ProgramId> {
        ProgramId::ALL.into_iter().find(|p| p.panel_slug() == slug)
    }

    /// The notices a tenant admin must accept before this program can be on.
    pub fn required_notices(self) -> &'static [&'static str] {
        match self {
            ProgramId::Copilot => &["copilot-data-sharing"],
            ProgramId::Marketing => &["marketing-human-review", "marketing-nda"],
        }
    }

    /// Whether the program has the separate "may the vendor contact the
    /// system administrator" preference.
    pub fn has_contact_preference(self) -> bool {
        matches!(self, ProgramId::Marketing)
    }
}

impl std::fmt::Display for ProgramId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the ids that URLs, stored rows and host portals depend on.
    #[test]
    fn ids_and_slugs_round_trip() {
        for (program, id, slug) in [
            (ProgramId::Copilot, "copilot", "copilot-data-sharing"),
            (ProgramId::Marketing, "marketing", "marketing-data-sharing"),
        ] {
            assert_eq!(program.as_str(), id);
            assert_eq!(ProgramId::parse(id), Some(program));
            assert_eq!(program.panel_slug(), slug);
            assert_eq!(ProgramId::from_panel_slug(slug), Some(program));
            assert_eq!(
                serde_json::to_string(&program).unwrap(),
                format!("\"{id}\"")
            );
        }
        assert_eq!(ProgramId::parse("Copilot"), None);
        assert_eq!(ProgramId::from_panel_slug("copilot"), None);
    }

    // Guards which notices each program requires before opting in.
    #[test]
    fn required_notices_per_program() {
        assert_eq!(
            ProgramId::Copilot.required_notices(),
            ["copilot-data-sharing"]
        );
        assert_eq!(
            ProgramId::Marketing.required_notices(),
            ["marketing-human-review", "marketing-nda"]
        );
        assert!(!ProgramId::Copilot.has_contact_preference());
        assert!(ProgramId::Marketing.has_contact_preference());
    }
}
