//! Discovery: every source of candidate settings. Parsers are pure functions; the
//! fetchers around them are thin.

pub mod autoconfig_xml;
pub mod autodiscover_xml;
pub mod providers;
