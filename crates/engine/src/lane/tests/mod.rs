//! The lane scenario tests, by topic.
