//! Staff sessions for `tower-sessions`, kept in our database (either engine).
//!
//! tower-sessions makes the 128-bit random ids, the cookie and the idle expiry; this store only
//! keeps records. Rows are keyed by SHA-256 of the id, so a copy of the database does not hand
//! out live sessions. Expired rows are never returned and are swept by [`DbSessionStore::sweep`].

use crate::db::Db;
use crate::store::sessions as store;
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

fn key(id: &Id) -> String {
    crate::crypto::sha256_hex(id.to_string())
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl DbSessionStore {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes expired sessions; returns how many.
    ///
    /// # Errors
    /// Database errors.
    pub async fn sweep(&self, now: i64) -> crate::Result<u64> {
        Ok(store::sweep(&self.db.pool, now).await?)
    }

    async fn insert(&self, record: &Record) -> session_store::Result<bool> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        store::insert(&self.db.pool, &key(&record.id), &data, record.expiry_date.unix_timestamp())
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A collision of 128 random bits is not expected; if it happens, draw again.
        for _ in 0..4 {
            if self.insert(record).await? {
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(session_store::Error::Backend("could not allocate a session id".into()))
    }

    /// Updates an existing record only: tower-sessions calls `create` for new ids, so a save that
    /// finds no row means the session was ended (signed out, swept) meanwhile — a request still
    /// in flight must not bring it back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        store::update(&self.db.pool, &key(&record.id), &data, record.expiry_date.unix_timestamp())
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = store::load(&self.db.pool, &key(id)).await.map_err(backend)?;
        let Some((data, expires_at)) = row else { return Ok(None) };
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        if expiry_date <= time::OffsetDateTime::now_utc() {
            return Ok(None);
        }
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        store::delete(&self.db.pool, &key(id)).await.map_err(backend)
    }
}
