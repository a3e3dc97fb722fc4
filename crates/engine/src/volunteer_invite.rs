//! Hours are matched to campaign teams from a volunteer profile (issue 5),
//! so a person who pledges hours without one would never be matched.
//! Invite them when they pledge, say so on their receipt, and remind them
//! when the pledge unlocks (issue 16, defect 12).

use cohort_core::Email;
use cohort_store::Tx;

use crate::Result;

/// Whether the person with this email has a volunteer profile (an account
/// and a saved profile; a pledge alone has neither).
pub(crate) async fn has_volunteer_profile(tx: &mut dyn Tx, email: &Email) -> Result<bool> {
    Ok(match tx.user_by_email(email).await? {
        Some(user) => tx.volunteer_profile(user.id).await?.is_some(),
        None => false,
    })
}

/// The invitation, for an email to an hours pledger (`base`: the public URL).
pub(crate) fn invitation(base: &str) -> String {
    format!(
        "Your hours are matched to a campaign team from your volunteer profile: your skills, \
         languages and when you can help. Sign in with this email address and fill it in at\n\
         {base}/me/volunteer\n"
    )
}

/// The reminder at unlock, for an hours pledger who still has no profile.
pub(crate) fn reminder(base: &str) -> String {
    format!(
        "You have no volunteer profile yet, so no team can be matched with you. \
         Sign in with this email address and fill it in at\n{base}/me/volunteer\n"
    )
}
