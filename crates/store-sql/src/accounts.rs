//! [`impl_sql_accounts!`]: `cohort_store::AccountsTx`, in SQL both backends run.

/// Implements `cohort_store::AccountsTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_accounts {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::Email;
            use ::cohort_store::*;
            use $crate::corrupt;

            #[::async_trait::async_trait]
            impl AccountsTx for $tx {
                async fn insert_token(
                    &mut self,
                    hash: &str,
                    t: &TokenRow,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO tokens (hash, role, slate_id, \
                                   candidate_id, created_at) VALUES ($1, $2, $3, $4, \
                                   $5)",
                    )
                    .bind(hash)
                    .bind(t.role.as_str())
                    .bind(t.slate_id)
                    .bind(t.candidate_id)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn token(&mut self, hash: &str) -> Result<Option<TokenRow>> {
                    let row = ::sqlx::query("SELECT * FROM tokens WHERE hash = $1")
                        .bind(hash)
                        .opt(self)
                        .await?;
                    row.map(|r| {
                        let role: String = get(&r, "role")?;
                        Ok(TokenRow {
                            role: Role::parse(&role).ok_or_else(|| {
                                corrupt("tokens", format!("unknown role {role:?}"))
                            })?,
                            slate_id: get(&r, "slate_id")?,
                            candidate_id: get(&r, "candidate_id")?,
                        })
                    })
                    .transpose()
                }

                // --- skilled volunteer teams (issue 5)
                async fn insert_user(
                    &mut self,
                    email: &Email,
                    name: &str,
                    at: DateTime<Utc>,
                ) -> Result<UserRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO users (email, name, \
                                             created_at) VALUES ($1, $2, $3) \
                                             RETURNING *",
                    )
                    .bind(email.as_str())
                    .bind(name)
                    .bind(at)
                    .one(self)
                    .await?;
                    user_from(&row)
                }

                async fn user(&mut self, id: Id) -> Result<Option<UserRow>> {
                    let row = ::sqlx::query(
                        "SELECT * FROM users WHERE id = \
                                             $1",
                    )
                    .bind(id)
                    .opt(self)
                    .await?;
                    row.as_ref().map(user_from).transpose()
                }

                async fn user_by_email(&mut self, email: &Email) -> Result<Option<UserRow>> {
                    let row = ::sqlx::query("SELECT * FROM users WHERE email = $1")
                        .bind(email.as_str())
                        .opt(self)
                        .await?;
                    row.as_ref().map(user_from).transpose()
                }

                async fn update_user(&mut self, u: &UserRow) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE users SET name = $1, password_hash = $2, \
                                   email_prefs = $3 WHERE id = $4",
                    )
                    .bind(&u.name)
                    .bind(&u.password_hash)
                    .bind(u.email_prefs.as_str())
                    .bind(u.id)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn insert_grant(&mut self, user_id: Id, g: &TokenRow) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO grants (user_id, role, slate_id, candidate_id) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(user_id)
                    .bind(g.role.as_str())
                    .bind(g.slate_id.unwrap_or(0))
                    .bind(g.candidate_id.unwrap_or(0))
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn grants(&mut self, user_id: Id) -> Result<Vec<TokenRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM grants WHERE user_id = \
                                              $1 ORDER BY role, slate_id, \
                                              candidate_id",
                    )
                    .bind(user_id)
                    .all(self)
                    .await?;
                    rows.iter().map(grant_from).collect()
                }

                async fn slate_members(
                    &mut self,
                    slate_id: Id,
                ) -> Result<Vec<(UserRow, TokenRow)>> {
                    let rows = ::sqlx::query(
                        "SELECT u.*, g.role, g.slate_id, g.candidate_id FROM grants \
                         g JOIN users u ON u.id = g.user_id WHERE g.slate_id = $1 \
                         ORDER BY g.role, u.email",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| Ok((user_from(r)?, grant_from(r)?)))
                        .collect()
                }

                async fn insert_secret(
                    &mut self,
                    hash: &str,
                    s: &SecretRow,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO secrets (hash, purpose, user_id, email, role, \
                         slate_id, candidate_id, created_at, expires_at, used_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(hash)
                    .bind(s.purpose.as_str())
                    .bind(s.user_id)
                    .bind(s.email.as_ref().map(|e| e.as_str()))
                    .bind(s.grant.as_ref().map(|g| g.role.as_str()))
                    .bind(s.grant.as_ref().and_then(|g| g.slate_id))
                    .bind(s.grant.as_ref().and_then(|g| g.candidate_id))
                    .bind(at)
                    .bind(s.expires_at)
                    .bind(s.used_at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn secret(&mut self, hash: &str) -> Result<Option<SecretRow>> {
                    let row = ::sqlx::query(
                        "SELECT * FROM secrets WHERE hash = \
                                             $1",
                    )
                    .bind(hash)
                    .opt(self)
                    .await?;
                    row.map(|r| {
                        let purpose: String = get(&r, "purpose")?;
                        let email: Option<String> = get(&r, "email")?;
                        let role: Option<String> = get(&r, "role")?;
                        Ok(SecretRow {
                            purpose: match purpose.as_str() {
                                "session" => Purpose::Session,
                                "sign_in" => Purpose::SignIn,
                                "invite" => Purpose::Invite,
                                other => {
                                    return Err(corrupt(
                                        "secrets",
                                        format!(
                                            "purpose \
                                                                           {other:?}"
                                        ),
                                    ))
                                }
                            },
                            user_id: get(&r, "user_id")?,
                            email: email
                                .map(|e| Email::parse(&e).map_err(|e| corrupt("secrets", e)))
                                .transpose()?,
                            grant: role
                                .map(|role| {
                                    Ok(TokenRow {
                                        role: Role::parse(&role).ok_or_else(|| {
                                            corrupt("secrets", format!("role {role:?}"))
                                        })?,
                                        slate_id: get(&r, "slate_id")?,
                                        candidate_id: get(&r, "candidate_id")?,
                                    })
                                })
                                .transpose()?,
                            expires_at: get(&r, "expires_at")?,
                            used_at: get(&r, "used_at")?,
                        })
                    })
                    .transpose()
                }

                async fn use_secret(&mut self, hash: &str, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE secrets SET used_at = $1 WHERE \
                                              hash = $2 AND used_at IS NULL",
                    )
                    .bind(at)
                    .bind(hash)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn delete_secret(&mut self, hash: &str) -> Result<()> {
                    ::sqlx::query(
                        "DELETE FROM secrets WHERE hash = \
                                   $1",
                    )
                    .bind(hash)
                    .exec(self)
                    .await?;
                    Ok(())
                }
            }
        };
    };
}
