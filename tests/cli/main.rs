//! Integration tests: run the built `partnerscope` binary on real files.

mod bad_input;
mod benchmarking;
mod breakdowns;
mod comments;
mod conditions;
mod disclosure;
mod hostile_input;
mod output_folders;
mod properties;
mod questionnaire;
mod readme;
mod reports;
mod research;
mod scoring;
mod sources;
mod support;
