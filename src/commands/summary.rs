//! The one-line summary a command prints when it is done: what it did, then each other count that is not zero.

/// `head`, then the text of each `(count, text)` whose count is not zero, comma-separated.
pub fn summary_line(head: String, counts: &[(usize, String)]) -> String {
    let mut parts = vec![head];
    parts.extend(
        counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(_, text)| text.clone()),
    );
    parts.join(", ")
}
