//! The bounds a link is read within: whatever arrives, the page stays responsive.

/// Schema version written into every link.
pub const SCHEMA_VERSION: u32 = 1;
/// Longest query read from a link, in bytes. 32 custom models travel in about 50 KB; the rest
/// of a longer link is cut at the last whole parameter and named in a notice.
pub const MAX_QUERY_BYTES: usize = 128 * 1024;
/// Most notices one link produces; the rest are counted in a last one.
pub const MAX_NOTICES: usize = 20;
