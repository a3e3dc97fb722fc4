//! A slate's role toolkits, as edited by its organizers.

use super::*;

impl Engine {
    /// A slate's toolkits, `(role, markdown, edited)` (organizers).
    pub async fn slate_toolkits(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<(String, String, bool)>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let edited: HashSet<String> = tx
            .toolkit_edits(s.id)
            .await?
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let kits = toolkits(tx.as_mut(), s.id).await?;
        Ok(kits
            .roles()
            .into_iter()
            .map(|r| {
                (
                    r.to_owned(),
                    kits.get(r).unwrap_or_default().to_owned(),
                    edited.contains(r),
                )
            })
            .collect())
    }

    /// Replace a role's toolkit for the slate, or (`None`) restore the standard one.
    pub async fn edit_toolkit(
        &self,
        actor: &Actor,
        slate: &str,
        role: &str,
        markdown: Option<&str>,
    ) -> Result<()> {
        let role = text("role", role, 80, true)?;
        let markdown = markdown
            .map(|m| text("toolkit", m, 20_000, true))
            .transpose()?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        if Toolkits::standard().get(&role).is_none()
            && !Team::ALL
                .iter()
                .any(|t| t.roles().iter().any(|r| r.role == role))
        {
            return Err(bad("role", format!("no team has a {role:?} role")));
        }
        tx.set_toolkit(s.id, &role, markdown.as_deref(), self.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
