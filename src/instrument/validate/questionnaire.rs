//! The optional `questionnaire:` texts of the answer form (SPEC §12): each given text must say
//! something; a key left out takes its default.

use super::super::model::InstrumentFile;
use super::super::QuestionnaireTexts;
use super::Checker;

pub(super) fn check(c: &mut Checker, file: &InstrumentFile) -> QuestionnaireTexts {
    let mut questionnaire = QuestionnaireTexts::default();
    let Some(texts) = &file.questionnaire else {
        return questionnaire;
    };
    for (key, given, slot) in [
        ("intro", &texts.intro, &mut questionnaire.intro),
        (
            "role_question",
            &texts.role_question,
            &mut questionnaire.role_question,
        ),
        (
            "org_question",
            &texts.org_question,
            &mut questionnaire.org_question,
        ),
    ] {
        let Some(text) = given else { continue };
        if text.value.trim().is_empty() {
            c.report(
                text,
                format!(
                    "questionnaire.{key} is empty; write the text or remove the key to use the default"
                ),
            );
        } else {
            *slot = text.value.trim().to_string();
        }
    }
    questionnaire
}
