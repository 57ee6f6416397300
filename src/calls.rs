//! Model calls from the interview shell: a spinner until the first token, live progress while tokens stream, and
//! Ctrl-C cancelling the call (not the process).

use crate::bank::{Bank, Question};
use crate::grade::{offline, Grade, Grader, LlmAudit};
use crate::llm::Completion;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A spinner on stderr (terminals only) that turns into a token counter once output streams.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    tokens: Arc<AtomicUsize>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    /// Start spinning with a label; silent when stderr is not a terminal.
    pub fn start(label: &str) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        let tokens = Arc::new(AtomicUsize::new(0));
        let handle = if std::io::stderr().is_terminal() {
            let (stop2, tokens2, label) = (stop.clone(), tokens.clone(), label.to_string());
            Some(std::thread::spawn(move || {
                const FRAMES: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
                let mut i = 0;
                while !stop2.load(Ordering::Relaxed) {
                    let n = tokens2.load(Ordering::Relaxed);
                    let what = if n == 0 {
                        format!("{label}…")
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
            handle,
        }
    }

    /// Count one streamed piece.
    pub fn tick(&self) {
        self.tokens.fetch_add(1, Ordering::Relaxed);
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
    let sp = Spinner::start(&format!("grading with {}", grader.name()));
    let mut on_token = |_: &str| sp.tick();
    let r = tokio::select! {
        g = grader.grade(bank, q, rung, answer, &mut on_token) => Some(g),
        _ = tokio::signal::ctrl_c() => None,
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
    let sp = Spinner::start("writing the follow-up");
    let mut on_token = |_: &str| sp.tick();
    let r = tokio::select! {
        r = g.follow_up(q, rung, last_answer, missed, asked, &mut on_token) => Some(r),
        _ = tokio::signal::ctrl_c() => None,
    };
    drop(sp);
    match r {
        Some(Ok((text, c))) => (Some(text), Some(c), None),
        Some(Err(e)) => (
            None,
            None,
            Some(format!("using the bank's follow-up ({e})")),
        ),
        None => (
            None,
            None,
            Some("follow-up cancelled; using the bank's question".into()),
        ),
    }
}
