//! The survey-tool formats of SPEC §11 and what each one's preset knows: which column holds
//! the respondent id, which columns are the tool's own metadata, which rows a real response
//! is kept by, how many header rows the export has and how multiple answers are joined.
//!
//! A preset only describes; reading the file by it is the job of `responses`.

/// The formats a source profile (or `--format`) can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Qualtrics,
    GoogleForms,
    MsForms,
    SurveyMonkey,
    LimeSurvey,
    Kobo,
    Odk,
}

/// How the header of an export is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderRows {
    /// One header row.
    One,
    /// Qualtrics: ids, question texts and `{"ImportId":…}` rows; a legacy export (`V1…`) has
    /// only the first two.
    Qualtrics,
    /// SurveyMonkey: questions, then `Response`, `Open-Ended Response` or an option label.
    SurveyMonkey,
    /// Kobo: one header row, then an optional row of HXL tags (`#tag`).
    Kobo,
}

/// A row filter of a preset or a profile's `keep:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// The row is kept when the column holds one of these (compared ignoring case and spaces).
    Allow(Vec<String>),
    /// The row is dropped when the column holds one of these.
    Deny(Vec<String>),
}

/// What a format's preset knows.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Columns that may hold the respondent id, the first present wins. Empty: the id is
    /// `<file name>:<physical line>`.
    pub id_columns: &'static [&'static str],
    /// The tool's own columns, ignored without a warning; a trailing `*` matches any ending.
    pub metadata: &'static [&'static str],
    /// Keep rules: (column, allowed or refused values); a rule whose column is absent is
    /// skipped.
    pub keep: &'static [(&'static str, bool, &'static [&'static str])],
    pub header_rows: HeaderRows,
    /// How the options of a multiple answer are joined in one cell.
    pub multi_separator: &'static str,
    /// Whether one separator after the last option is written (and ignored).
    pub trailing_separator: bool,
    /// Group paths in headers: `group/question` (kobo) or `group-question` (odk).
    pub group_separator: Option<char>,
}

const NONE: Preset = Preset {
    id_columns: &["respondent_id"],
    metadata: &[],
    keep: &[],
    header_rows: HeaderRows::One,
    multi_separator: ";",
    trailing_separator: false,
    group_separator: None,
};

const QUALTRICS: Preset = Preset {
    id_columns: &["ResponseId", "Response ID"],
    metadata: &[
        "StartDate",
        "EndDate",
        "Status",
        "IPAddress",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "Recipient*",
        "ExternalReference",
        "ExternalDataReference",
        "Location*",
        "DistributionChannel",
        "UserLanguage",
        // Legacy exports (`V1…V10`): the second header row names them.
        "ResponseSet",
        "Name",
        "EmailAddress",
    ],
    keep: &[
        ("Finished", true, &["True", "1"]),
        (
            "Status",
            false,
            &[
                "Survey Preview",
                "Survey Test",
                "Spam",
                "Preview Spam",
                "Imported Spam",
                "1",
                "2",
                "8",
                "9",
                "12",
            ],
        ),
    ],
    header_rows: HeaderRows::Qualtrics,
    multi_separator: ",",
    trailing_separator: false,
    group_separator: None,
};

const GOOGLE_FORMS: Preset = Preset {
    id_columns: &[],
    metadata: &["Timestamp", "Email Address", "Score"],
    keep: &[],
    header_rows: HeaderRows::One,
    multi_separator: ", ",
    trailing_separator: false,
    group_separator: None,
};

const MS_FORMS: Preset = Preset {
    id_columns: &["ID", "Response ID"],
    metadata: &[
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
    ],
    keep: &[],
    header_rows: HeaderRows::One,
    multi_separator: ";",
    trailing_separator: true,
    group_separator: None,
};

const SURVEYMONKEY: Preset = Preset {
    id_columns: &["Respondent ID", "RespondentID"],
    metadata: &[
        "Respondent ID",
        "RespondentID",
        "Collector ID",
        "CollectorID",
        "StartDate",
        "EndDate",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ],
    keep: &[],
    header_rows: HeaderRows::SurveyMonkey,
    multi_separator: ";",
    trailing_separator: false,
    group_separator: None,
};

const LIMESURVEY: Preset = Preset {
    id_columns: &["id", "Response ID", "Answer ID"],
    metadata: &[
        "id",
        "Response ID",
        "Answer ID",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "startdate",
        "datestamp",
        "refurl",
        "ipaddr",
        // The same columns in an export with full question texts as headings.
        "Date submitted",
        "Last page",
        "Start language",
        "Seed",
        "Date started",
        "Date last action",
        "Referrer URL",
        "IP address",
    ],
    keep: &[],
    header_rows: HeaderRows::One,
    multi_separator: ";",
    trailing_separator: false,
    group_separator: None,
};

const KOBO: Preset = Preset {
    id_columns: &["_uuid", "meta/instanceID", "_id"],
    metadata: &[
        "start",
        "end",
        "today",
        "deviceid",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
    ],
    keep: &[],
    header_rows: HeaderRows::Kobo,
    multi_separator: " ",
    trailing_separator: false,
    group_separator: Some('/'),
};

const ODK: Preset = Preset {
    id_columns: &["KEY", "meta-instanceID"],
    metadata: &[
        "SubmissionDate",
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        // XLSForm's metadata questions, as Kobo has them.
        "start",
        "end",
        "today",
        "deviceid",
    ],
    keep: &[],
    header_rows: HeaderRows::One,
    multi_separator: " ",
    trailing_separator: false,
    group_separator: Some('-'),
};

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Csv,
        Format::Qualtrics,
        Format::GoogleForms,
        Format::MsForms,
        Format::SurveyMonkey,
        Format::LimeSurvey,
        Format::Kobo,
        Format::Odk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Qualtrics => "qualtrics",
            Format::GoogleForms => "google-forms",
            Format::MsForms => "ms-forms",
            Format::SurveyMonkey => "surveymonkey",
            Format::LimeSurvey => "limesurvey",
            Format::Kobo => "kobo",
            Format::Odk => "odk",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The names, for messages: `csv, qualtrics, …`.
    pub fn names() -> String {
        Format::ALL.map(Format::name).join(", ")
    }

    pub fn preset(self) -> &'static Preset {
        match self {
            Format::Csv => &NONE,
            Format::Qualtrics => &QUALTRICS,
            Format::GoogleForms => &GOOGLE_FORMS,
            Format::MsForms => &MS_FORMS,
            Format::SurveyMonkey => &SURVEYMONKEY,
            Format::LimeSurvey => &LIMESURVEY,
            Format::Kobo => &KOBO,
            Format::Odk => &ODK,
        }
    }

    /// Whether this is a survey tool's export (unmapped columns are then a warning, not an
    /// error).
    pub fn is_survey_tool(self) -> bool {
        self != Format::Csv
    }
}

impl Preset {
    /// Whether `header` (trimmed) is one of the tool's metadata columns, ignoring case.
    pub fn is_metadata(&self, header: &str) -> bool {
        self.metadata.iter().any(|m| match m.strip_suffix('*') {
            Some(prefix) => header
                .get(..prefix.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(prefix)),
            None => header.eq_ignore_ascii_case(m),
        })
    }

    /// The preset's keep rules as filters.
    pub fn filters(&self) -> Vec<(String, Filter)> {
        self.keep
            .iter()
            .map(|(column, allow, values)| {
                let values = values.iter().map(|v| v.to_string()).collect();
                let filter = if *allow {
                    Filter::Allow(values)
                } else {
                    Filter::Deny(values)
                };
                (column.to_string(), filter)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
        }
        assert_eq!(Format::from_name("excel"), None);
        assert_eq!(
            Format::names(),
            "csv, qualtrics, google-forms, ms-forms, surveymonkey, limesurvey, kobo, odk"
        );
    }

    #[test]
    fn metadata_prefixes_and_case() {
        let q = Format::Qualtrics.preset();
        assert!(q.is_metadata("RecipientEmail"));
        assert!(q.is_metadata("locationlatitude"));
        assert!(q.is_metadata("Duration (in seconds)"));
        assert!(!q.is_metadata("Q1"));
        assert!(!q.is_metadata("Recip"));
    }
}
