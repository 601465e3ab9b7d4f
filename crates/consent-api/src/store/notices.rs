//! The notice versions published, as recorded when each was first loaded.

use consent_core::{NoticeDocument, Timestamp};

use super::{timestamp, Store};

/// Why a notice file cannot be recorded as published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "notice {id:?} version {version} ({language}) was published with sha256 {stored}, \
         but its file now hashes to {file}: published versions are never edited; publish a new version instead"
    )]
    Edited {
        id: String,
        version: u32,
        language: String,
        stored: String,
        file: String,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Store {
    /// Records a notice version as published; refuses one whose stored hash differs.
    pub async fn publish_notice(
        &self,
        document: &NoticeDocument,
        now: Timestamp,
    ) -> Result<(), PublishError> {
        let content =
            serde_json::to_string(document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let stored: String = on_pool!(&self.pool, |pool| {
            sqlx::query(
                "INSERT INTO notices (id, version, language, sha256, material_change, effective_date, content, first_loaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id, version, language) DO NOTHING",
            )
            .bind(&document.id)
            .bind(i64::from(document.version))
            .bind(&document.language)
            .bind(&document.sha256)
            .bind(document.material_change)
            .bind(document.effective_date.to_string())
            .bind(&content)
            .bind(timestamp(now))
            .execute(pool)
            .await?;
            sqlx::query_scalar(
                "SELECT sha256 FROM notices WHERE id = $1 AND version = $2 AND language = $3",
            )
            .bind(&document.id)
            .bind(i64::from(document.version))
            .bind(&document.language)
            .fetch_one(pool)
            .await?
        });
        if stored != document.sha256 {
            return Err(PublishError::Edited {
                id: document.id.clone(),
                version: document.version,
                language: document.language.clone(),
                stored,
                file: document.sha256.clone(),
            });
        }
        Ok(())
    }
}
