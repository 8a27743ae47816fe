//! Bad-input corpus (filled in separately).
