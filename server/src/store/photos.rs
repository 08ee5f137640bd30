//! Photo metadata. The bytes themselves live on disk, named by their SHA-256.

use fieldcase_core::Sha256;
use fieldcase_core::wire::PhotoReceipt;
use sqlx::FromRow;

use super::{Store, now};

#[derive(Debug, Clone, FromRow)]
pub struct PhotoRecord {
    #[sqlx(try_from = "String")]
    pub sha256: Sha256,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

impl PhotoRecord {
    pub fn receipt(&self) -> PhotoReceipt {
        PhotoReceipt {
            sha256: self.sha256.to_string(),
            content_type: self.content_type.clone(),
            width: u32::try_from(self.width).unwrap_or(0),
            height: u32::try_from(self.height).unwrap_or(0),
            bytes: u64::try_from(self.bytes).unwrap_or(0),
        }
    }
}

impl Store {
    pub async fn photo(&self, sha256: &Sha256) -> Result<Option<PhotoRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT sha256, content_type, width, height, bytes FROM photos WHERE sha256 = $1",
        )
        .bind(sha256.as_str())
        .fetch_optional(&self.pool)
        .await
    }

    /// The photo, if it was uploaded through a link of `asset_id`.
    pub async fn uploaded_photo(
        &self,
        asset_id: &str,
        sha256: &Sha256,
    ) -> Result<Option<PhotoRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT p.sha256, p.content_type, p.width, p.height, p.bytes \
             FROM photos p JOIN photo_uploads u ON u.sha256 = p.sha256 \
             WHERE u.asset_id = $1 AND p.sha256 = $2",
        )
        .bind(asset_id)
        .bind(sha256.as_str())
        .fetch_optional(&self.pool)
        .await
    }

    /// Record a stored photo (if new) and that it was uploaded under
    /// `asset_id`. Idempotent: the same bytes again change nothing.
    pub async fn record_photo(
        &self,
        photo: &PhotoReceipt,
        asset_id: &str,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO photos (sha256, content_type, width, height, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&photo.sha256)
        .bind(&photo.content_type)
        .bind(i64::from(photo.width))
        .bind(i64::from(photo.height))
        .bind(i64::try_from(photo.bytes).unwrap_or(i64::MAX))
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        // `created_at` of an upload row is its latest upload: the sweeper
        // keeps what was uploaded again lately.
        sqlx::query(
            "INSERT INTO photo_uploads (sha256, asset_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (sha256, asset_id) DO UPDATE SET created_at = excluded.created_at",
        )
        .bind(&photo.sha256)
        .bind(asset_id)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Forget up to `limit` photos that no intake uses and nobody uploaded
    /// since `cutoff` (timestamp text), in one transaction; answers their
    /// hashes so the caller removes their files.
    pub async fn forget_unused_photos(
        &self,
        cutoff: &str,
        limit: i64,
    ) -> Result<Vec<Sha256>, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let unused: Vec<(String,)> = sqlx::query_as(
            "SELECT p.sha256 FROM photos p \
             WHERE p.created_at < $1 \
               AND NOT EXISTS (SELECT 1 FROM intake_photos i WHERE i.sha256 = p.sha256) \
               AND NOT EXISTS (SELECT 1 FROM photo_uploads u \
                               WHERE u.sha256 = p.sha256 AND u.created_at >= $1) \
             LIMIT $2",
        )
        .bind(cutoff)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut forgotten = Vec::with_capacity(unused.len());
        for (sha256,) in unused {
            sqlx::query("DELETE FROM photo_uploads WHERE sha256 = $1")
                .bind(&sha256)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM photos WHERE sha256 = $1")
                .bind(&sha256)
                .execute(&mut *tx)
                .await?;
            forgotten.push(Sha256::try_from(sha256).map_err(|e| sqlx::Error::Decode(e.into()))?);
        }
        tx.commit().await?;
        Ok(forgotten)
    }
}
