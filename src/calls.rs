//! Model calls from the interview shell: a spinner until the first token, live progress while tokens stream, and
//! Ctrl-C cancelling the call (not the process).

use crate::bank::{Bank, Question};
use crate::grade::{offline, Grade, LlmAudit};
use crate::llm::{Completion, Grader, LlmError};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A spinner on stderr (terminals only) that turns into a token counter once output streams.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    tokens: Arc<AtomicUsize>,
    /// Criteria the model has given a verdict for so far (grading only).
    judged: Arc<AtomicUsize>,
    /// The end of the streamed text, so a marker split across two pieces is still seen.
    tail: std::sync::Mutex<String>,
    handle: Option<std::thread::JoinHandle<()>>,
}

/// What a streamed grading response marks each verdict with.
const VERDICT_KEY: &str = "\"verdict\"";

impl Spinner {
    /// Start spinning with a label; silent when stderr is not a terminal.
    pub fn start(label: &str) -> Spinner {
        Spinner::start_with_total(label, 0)
    }

    /// Start spinning; with `criteria` > 0 the progress also counts the criteria judged so far.
    pub fn start_with_total(label: &str, criteria: usize) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        let tokens = Arc::new(AtomicUsize::new(0));
        let judged = Arc::new(AtomicUsize::new(0));
        let handle = if std::io::stderr().is_terminal() {
            let (stop2, tokens2, judged2, label) = (
                stop.clone(),
                tokens.clone(),
                judged.clone(),
                label.to_string(),
            );
            Some(std::thread::spawn(move || {
                const FRAMES: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
                let mut i = 0;
                while !stop2.load(Ordering::Relaxed) {
                    let n = tokens2.load(Ordering::Relaxed);
                    let k = judged2.load(Ordering::Relaxed).min(criteria);
                    let what = if n == 0 {
                        format!("{label}…")
                    } else if criteria > 0 {
                        format!("{label}: {n} tokens streamed, {k}/{criteria} criteria judged")
                    } else {
                        format!("{label}: {n} tokens streamed")
                    };
                    let mut e = std::io::stderr().lock();
                    let _ = write!(
                        e,
                        "\r\x1b[2K{} {what} (Ctrl-C cancels)",
                        FRAMES[i % FRAMES.len()]
                    );
                    let _ = e.flush();
                    drop(e);
                    i += 1;
                    std::thread::sleep(Duration::from_millis(90));
                }
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }))
        } else {
            None
        };
        Spinner {
            stop,
            tokens,
            judged,
            tail: std::sync::Mutex::new(String::new()),
            handle,
        }
    }

    /// Count one streamed piece, and the verdicts it completes.
    pub fn tick(&self, piece: &str) {
        self.tokens.fetch_add(1, Ordering::Relaxed);
        let mut tail = self.tail.lock().unwrap_or_else(|e| e.into_inner());
        let before = tail.matches(VERDICT_KEY).count();
        tail.push_str(piece);
        let after = tail.matches(VERDICT_KEY).count();
        self.judged.fetch_add(after - before, Ordering::Relaxed);
        // Keep only what could start a marker that the next piece completes.
        let keep = VERDICT_KEY.len() - 1;
        if tail.len() > keep {
            let mut cut = tail.len() - keep;
            while !tail.is_char_boundary(cut) {
                cut -= 1;
            }
            tail.drain(..cut);
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// A future that resolves at the next Ctrl-C. The handler is in place when this returns, before the spinner tells
/// the user that Ctrl-C cancels (tokio's `ctrl_c()` only installs it when first polled, which leaves a window where
/// Ctrl-C would kill the process).
fn interrupt() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut sig = signal(SignalKind::interrupt()).ok();
        async move {
            match sig.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Grade with a spinner; Ctrl-C cancels the model call and falls back to the offline grade (marked degraded).
pub async fn grade(
    grader: &Grader,
    bank: &Bank,
    q: &Question,
    rung: Option<usize>,
    answer: &str,
) -> Grade {
    if let Grader::Offline = grader {
        return offline::grade(bank, q, rung, answer);
    }
    let int = interrupt();
    let sp = Spinner::start_with_total(
        &format!("grading with {}", grader.name()),
        q.target(rung).0.len(),
    );
    let mut on_token = |piece: &str| sp.tick(piece);
    let r = tokio::select! {
        g = grader.grade(bank, q, rung, answer, &mut on_token) => Some(g),
        _ = int => None,
    };
    drop(sp);
    r.unwrap_or_else(|| {
        let mut g = offline::grade(bank, q, rung, answer);
        g.degraded = true;
        g.llm = Some(Box::new(LlmAudit {
            model: grader.name(),
            note: Some("model call cancelled with Ctrl-C; offline grade shown".into()),
            ..Default::default()
        }));
        g
    })
}

/// Compose an adaptive follow-up; None (use the authored rung) when offline, cancelled, or the model's text is unusable.
pub async fn follow_up(
    grader: &Grader,
    q: &Question,
    rung: usize,
    last_answer: &str,
    missed: &[String],
    asked: &[String],
) -> (Option<String>, Option<Completion>, Option<String>) {
    let Grader::Llm(g) = grader else {
        return (None, None, None);
    };
    if g.client.breaker.is_open() {
        // Said once when it opened; the bank's follow-up is used quietly from then on.
        return (None, None, None);
    }
    let int = interrupt();
    let sp = Spinner::start("writing the follow-up");
    let mut on_token = |piece: &str| sp.tick(piece);
    let r = tokio::select! {
        r = g.follow_up(q, rung, last_answer, missed, asked, &mut on_token) => Some(r),
        _ = int => None,
    };
    drop(sp);
    composed(r, "follow-up")
}

/// Compose a probe or a challenge from the candidate's answer with the model; None (ask the offline text) when
/// offline, cancelled, or the model's text is unusable (not one short question, or it states what is missing).
pub async fn probe(
    grader: &Grader,
    bank: &Bank,
    q: &Question,
    purpose: crate::interview::Purpose,
    target: &str,
    last_answer: &str,
    asked: &[String],
) -> (Option<String>, Option<Completion>, Option<String>) {
    let Grader::Llm(g) = grader else {
        return (None, None, None);
    };
    let int = interrupt();
    let sp = Spinner::start("writing the follow-up");
    let mut on_token = |piece: &str| sp.tick(piece);
    let r = tokio::select! {
        r = g.probe(bank, q, purpose, target, last_answer, asked, &mut on_token) => Some(r),
        _ = int => None,
    };
    drop(sp);
    composed(r, purpose.as_str())
}

/// What a model call writing a question returns: the text (or why it is unusable) with the completion.
type WrittenQuestion = Result<(Result<String, String>, Completion), LlmError>;

/// A question the model was asked to write (`what`: "follow-up", "probe" or "challenge"), as the shell uses it:
/// the text when usable, the completion (for its cost), and a note when the bank's question is asked instead. `r`
/// is None when Ctrl-C cancelled the call.
fn composed(
    r: Option<WrittenQuestion>,
    what: &str,
) -> (Option<String>, Option<Completion>, Option<String>) {
    match r {
        Some(Ok((Ok(text), c))) => (Some(text), Some(c), None),
        Some(Ok((Err(why), c))) => (
            None,
            Some(c),
            Some(format!("using the bank's {what} ({why})")),
        ),
        Some(Err(e)) => (None, None, Some(format!("using the bank's {what} ({e})"))),
        None => (
            None,
            None,
            Some(format!("{what} cancelled; using the bank's question")),
        ),
    }
}

/// One rubric-drafting attempt with a spinner; `None` when Ctrl-C cancelled it (the question is then drafted
/// offline).
pub async fn draft(
    drafter: &crate::llm::drafter::LlmDrafter,
    id: &str,
    req: &crate::llm::drafter::DraftRequest<'_>,
    feedback: &[String],
) -> Option<Result<(Result<crate::draft::model::ModelDraft, String>, Completion), LlmError>> {
    let int = interrupt();
    let sp = Spinner::start(&format!("drafting {id} with {}", drafter.name()));
    let mut on_token = |piece: &str| sp.tick(piece);
    let r = tokio::select! {
        r = drafter.draft(req, feedback, &mut on_token) => Some(r),
        _ = int => None,
    };
    drop(sp);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_counted_across_stream_pieces() {
        let sp = Spinner::start_with_total("grading", 3);
        for piece in [
            "{\"criteria\": [{\"id\": \"a\", \"verdict\"",
            ": \"met\"}, {\"id\": \"b\", \"ver",
            "dict\": \"missed\"}, {\"id\": \"c\", \"",
            "verdict\": \"partial\"}]}",
        ] {
            sp.tick(piece);
        }
        assert_eq!(sp.judged.load(Ordering::Relaxed), 3);
        assert_eq!(sp.tokens.load(Ordering::Relaxed), 4);
        sp.tick("é\"verdict\" and more text ü");
        assert_eq!(sp.judged.load(Ordering::Relaxed), 4);
    }
}
