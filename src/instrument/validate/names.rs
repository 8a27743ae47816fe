//! Ids and labels that a response cell is matched against ignoring case (roles; the options
//! of one item) must all be distinct ignoring case, so that a cell can never mean two of them
//! (SPEC §2). A label may equal its own owner's id.

/// The ids and labels claimed so far, folded to lower case, with what each belongs to.
pub(super) struct Names {
    claimed: Vec<Claim>,
}

struct Claim {
    folded: String,
    owner: usize,
    /// How a message names the earlier holder: "the id of role `hr`".
    description: String,
}

impl Names {
    pub(super) fn new() -> Self {
        Names {
            claimed: Vec::new(),
        }
    }

    /// Claims `text` for `owner` (an index into the caller's list). Returns the description
    /// of another owner that already holds it ignoring case; the claim then is not recorded.
    /// Empty text claims nothing.
    pub(super) fn claim(
        &mut self,
        text: &str,
        owner: usize,
        description: impl FnOnce() -> String,
    ) -> Result<(), String> {
        let folded = text.trim().to_lowercase();
        if folded.is_empty() {
            return Ok(());
        }
        match self.claimed.iter().find(|c| c.folded == folded) {
            Some(c) if c.owner != owner => Err(c.description.clone()),
            Some(_) => Ok(()),
            None => {
                self.claimed.push(Claim {
                    folded,
                    owner,
                    description: description(),
                });
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_may_equal_its_own_id_but_not_another_owners() {
        let mut names = Names::new();
        assert_eq!(
            names.claim("hr", 0, || "the id of role `hr`".into()),
            Ok(())
        );
        assert_eq!(
            names.claim("HR", 0, || "the label of role `hr`".into()),
            Ok(())
        );
        assert_eq!(
            names.claim(" Hr ", 1, || "the label of role `sales`".into()),
            Err("the id of role `hr`".into())
        );
        assert_eq!(names.claim("", 2, || "nothing".into()), Ok(()));
        assert_eq!(names.claim("Ärger", 3, || "x".into()), Ok(()));
        assert_eq!(
            names.claim("äRGER", 4, || "y".into()),
            Err("x".into()),
            "folding is Unicode-aware"
        );
    }
}
