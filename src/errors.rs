//! Error helpers shared by the adapters (a leaf module: it imports nothing of viva).

/// The innermost cause of an error chain, for a one-line message ("connection refused", not the wrapper's words).
pub fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
