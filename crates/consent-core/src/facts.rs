//! What each program does with a tenant's data, in plain words: the one
//! place consent receipts (and anything else that explains a program) take
//! purposes, data categories, storage, retention and recipients from.

use crate::deadline::{DELETION_WINDOW_DAYS, SCHEMA_RETENTION_MONTHS};
use crate::ProgramId;

/// Where copies of shared data are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageLocation {
    /// Inside the tenant's own geography (its region's data boundary).
    TenantGeography,
    /// In the United States, whatever the tenant's region.
    UnitedStates,
}

impl StorageLocation {
    /// A stable machine name (`tenant_geography`, `united_states`), for
    /// catalogues that word the location in the page's language.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageLocation::TenantGeography => "tenant_geography",
            StorageLocation::UnitedStates => "united_states",
        }
    }

    /// The location in words, for a tenant in `region` (`US`, `EU`, ...).
    pub fn describe(self, region: &str) -> String {
        match self {
            StorageLocation::TenantGeography => format!("The tenant's geography ({region})"),
            StorageLocation::UnitedStates => "United States".to_owned(),
        }
    }
}

/// How long shared data of one category is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionPeriod {
    Days(u64),
    Months(u32),
}

impl RetentionPeriod {
    /// As an ISO 8601 duration (`P30D`, `P12M`).
    pub fn iso8601(self) -> String {
        match self {
            RetentionPeriod::Days(days) => format!("P{days}D"),
            RetentionPeriod::Months(months) => format!("P{months}M"),
        }
    }

    /// Reads the ISO 8601 form written by [`RetentionPeriod::iso8601`]
    /// (`P30D`, `P12M`); `None` for any other duration.
    pub fn parse_iso8601(text: &str) -> Option<RetentionPeriod> {
        let number = |digits: &str| {
            (!digits.is_empty() && digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse().ok())
                .flatten()
        };
        let rest = text.strip_prefix('P')?;
        if let Some(days) = rest.strip_suffix('D') {
            number(days).map(RetentionPeriod::Days)
        } else {
            let months = rest.strip_suffix('M')?;
            number(months).and_then(|m| u32::try_from(m).ok().map(RetentionPeriod::Months))
        }
    }
}

/// One kind of data a program shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataCategoryFacts {
    /// A stable machine id (`prompts`, `data_schema`).
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub storage: StorageLocation,
    pub retention: RetentionPeriod,
    /// The retention rule in words.
    pub retention_rule: &'static str,
}

/// Everything a tenant is told about a program before consenting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramFacts {
    pub program: ProgramId,
    /// The program's name as the settings list shows it.
    pub title: &'static str,
    pub purposes: &'static [&'static str],
    pub data_categories: &'static [DataCategoryFacts],
    /// Who receives or sees the shared data.
    pub recipients: &'static [&'static str],
    /// How to withdraw, and what follows.
    pub withdrawal_method: &'static str,
    /// Whether opting in asks the admin to tick "I have read and accept";
    /// otherwise the panel says beside the switch that saving accepts the notice.
    pub explicit_acceptance_at_opt_in: bool,
    /// Whether the panel lists the data categories and their retention
    /// (Marketing's span several places and periods; Copilot's panel says it in a sentence).
    pub categories_in_panel: bool,
    /// The FAQ question (its anchor) a panel links to.
    pub faq_question: &'static str,
}

const COPILOT: ProgramFacts = ProgramFacts {
    program: ProgramId::Copilot,
    title: "Data sharing for Copilot AI features",
    purposes: &[
        "Improve the quality and accuracy of the Copilot AI features by letting the vendor capture and manually review the tenant's data.",
        "Build, improve and validate features, services, machine learning models and related systems for these Copilot features.",
    ],
    data_categories: &[
        DataCategoryFacts {
            id: "prompts",
            name: "Prompts",
            description: "What users type or say to the Copilot features in natural language.",
            storage: StorageLocation::TenantGeography,
            retention: RetentionPeriod::Days(DELETION_WINDOW_DAYS),
            retention_rule: "Kept under a 30-day retention policy; deleted within 30 days of opting out.",
        },
        DataCategoryFacts {
            id: "outputs",
            name: "Outputs",
            description: "What the Copilot features answered.",
            storage: StorageLocation::TenantGeography,
            retention: RetentionPeriod::Days(DELETION_WINDOW_DAYS),
            retention_rule: "Kept under a 30-day retention policy; deleted within 30 days of opting out.",
        },
        DataCategoryFacts {
            id: "telemetry",
            name: "Related telemetry",
            description: "Technical data about how the prompts and outputs were produced.",
            storage: StorageLocation::TenantGeography,
            retention: RetentionPeriod::Days(DELETION_WINDOW_DAYS),
            retention_rule: "Kept under a 30-day retention policy; deleted within 30 days of opting out.",
        },
    ],
    recipients: &[
        "Vendor staff who must view the data to do their work and hold elevated, authorized access. Customer Lockbox and customer-managed keys do not apply to this access.",
    ],
    withdrawal_method: "Turn off \"Enable data sharing\" in Settings > Tenant settings and save. Shared data is deleted within 30 days of opting out and may be used until then.",
    explicit_acceptance_at_opt_in: false,
    categories_in_panel: false,
    faq_question: "copilot-what-is-it",
};

const MARKETING: ProgramFacts = ProgramFacts {
    program: ProgramId::Marketing,
    title: "Marketing: human review of anonymized customer data",
    purposes: &[
        "Build, improve and validate machine learning models for Dynamics 365 Marketing and Power Platform applications by direct human review of anonymized customer data. None of the tenant's data ends up inside the resulting models.",
        "Let vendor representatives contact the tenant's system administrator with questions from time to time, while the contact preference is on.",
    ],
    data_categories: &[
        DataCategoryFacts {
            id: "marketing_data",
            name: "Marketing data",
            description: "Contact information and marketing activity (email content, forms, web pages, events, customer journeys) stored in the tenant's database, and contacts' interaction data.",
            storage: StorageLocation::TenantGeography,
            retention: RetentionPeriod::Days(DELETION_WINDOW_DAYS),
            retention_rule: "Copied to vendor-owned storage in the same geography, partitioned by tenant; purged after 30 days, and within 30 days of opting out.",
        },
        DataCategoryFacts {
            id: "query_data",
            name: "Query data",
            description: "Users' queries against the tenant's data from the Marketing and Power Platform apps, related telemetry, and the results.",
            storage: StorageLocation::TenantGeography,
            retention: RetentionPeriod::Days(DELETION_WINDOW_DAYS),
            retention_rule: "Copied to vendor-owned storage in the same geography, partitioned by tenant; purged after 30 days, and within 30 days of opting out.",
        },
        DataCategoryFacts {
            id: "data_schema",
            name: "Data schema",
            description: "Table and column names only, never the values in them. Contains no personal data.",
            storage: StorageLocation::UnitedStates,
            retention: RetentionPeriod::Months(SCHEMA_RETENTION_MONTHS),
            retention_rule: "Stored in the United States for up to 12 months from when it was copied; may be combined with other customers' schemas.",
        },
    ],
    recipients: &[
        "Vendor engineers and data scientists, a minimal set of screened, trained and approved people with monitored access.",
        "Subprocessors on the vendor's published subprocessor list.",
    ],
    withdrawal_method: "Turn off data sharing in Settings > Tenant settings and save (or give the vendor written notice by email 30 days in advance). Marketing and query data are purged within 30 days of opting out; schema copies are kept at most 12 months from when they were copied. Contact by vendor representatives can be turned off separately at any time.",
    explicit_acceptance_at_opt_in: true,
    categories_in_panel: true,
    faq_question: "marketing-what-is-it",
};

/// The facts of `program`.
pub fn program_facts(program: ProgramId) -> &'static ProgramFacts {
    match program {
        ProgramId::Copilot => &COPILOT,
        ProgramId::Marketing => &MARKETING,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards that the words agree with the figures the product computes
    // (30 days, 12 months), so changing a constant cannot leave stale text.
    #[test]
    fn retention_words_match_the_figures() {
        for program in ProgramId::ALL {
            let facts = program_facts(program);
            assert_eq!(facts.program, program);
            assert!(!facts.purposes.is_empty() && !facts.recipients.is_empty());
            assert!(
                facts
                    .withdrawal_method
                    .contains(&format!("{DELETION_WINDOW_DAYS} days")),
                "{program}"
            );
            for category in facts.data_categories {
                let words = match category.retention {
                    RetentionPeriod::Days(days) => format!("{days} days"),
                    RetentionPeriod::Months(months) => format!("{months} months"),
                };
                assert!(
                    category.retention_rule.contains(&words),
                    "{program} {}",
                    category.id
                );
            }
        }
        let schema = &program_facts(ProgramId::Marketing).data_categories[2];
        assert_eq!(
            (schema.id, schema.storage),
            ("data_schema", StorageLocation::UnitedStates)
        );
        assert_eq!(
            schema.retention,
            RetentionPeriod::Months(SCHEMA_RETENTION_MONTHS)
        );
    }

    // Guards the machine forms of locations and periods written into receipts.
    #[test]
    fn locations_and_periods_in_receipt_form() {
        assert_eq!(
            StorageLocation::TenantGeography.describe("EU"),
            "The tenant's geography (EU)"
        );
        assert_eq!(
            StorageLocation::UnitedStates.describe("EU"),
            "United States"
        );
        assert_eq!(RetentionPeriod::Days(30).iso8601(), "P30D");
        assert_eq!(RetentionPeriod::Months(12).iso8601(), "P12M");
    }

    // Guards reading a receipt's retention back, so the page can say it in words.
    #[test]
    fn periods_read_back_from_receipt_form() {
        for period in [RetentionPeriod::Days(30), RetentionPeriod::Months(12)] {
            assert_eq!(
                RetentionPeriod::parse_iso8601(&period.iso8601()),
                Some(period)
            );
        }
        for other in [
            "",
            "P",
            "30D",
            "PD",
            "P1Y",
            "P1W",
            "PT30M",
            "P-3D",
            "P+3D",
            "P3.5D",
            "P9999999D",
        ] {
            assert_eq!(RetentionPeriod::parse_iso8601(other), None, "{other:?}");
        }
    }
}
