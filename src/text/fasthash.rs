//! A small, fast, non-cryptographic hasher (FNV-1a) for the grader's string-keyed maps: the keys are words
//! from answers and rubrics, not attacker-chosen bulk data, and SipHash dominated the profile.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bit.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Builds [`Fnv`] hashers.
pub type FnvBuild = BuildHasherDefault<Fnv>;
/// A `HashMap` with FNV hashing.
pub type FnvMap<K, V> = HashMap<K, V, FnvBuild>;
/// A `HashSet` with FNV hashing.
pub type FnvSet<K> = HashSet<K, FnvBuild>;

/// Word ids shared by compiled patterns and analysed answers: pattern words are interned when a pattern is
/// compiled, and an answer's stems are looked up (a stem no pattern uses gets [`NO_WORD`]). Comparing ids is
/// cheaper than comparing strings, and the matcher compares a lot.
pub mod intern {
    use super::FnvMap;
    use std::sync::{OnceLock, RwLock};

    /// The id of a word that no pattern uses.
    pub const NO_WORD: u32 = u32::MAX;

    fn table() -> &'static RwLock<FnvMap<String, u32>> {
        static T: OnceLock<RwLock<FnvMap<String, u32>>> = OnceLock::new();
        T.get_or_init(|| RwLock::new(FnvMap::default()))
    }

    /// The id of `w`, adding it if new.
    pub fn intern(w: &str) -> u32 {
        if let Some(&id) = table().read().unwrap_or_else(|e| e.into_inner()).get(w) {
            return id;
        }
        let mut t = table().write().unwrap_or_else(|e| e.into_inner());
        let next = t.len() as u32;
        *t.entry(w.to_string()).or_insert(next)
    }

    /// The ids of many words, [`NO_WORD`] for words never interned.
    pub fn lookup_all<'a>(words: impl Iterator<Item = &'a str>) -> Vec<u32> {
        let t = table().read().unwrap_or_else(|e| e.into_inner());
        words
            .map(|w| t.get(w).copied().unwrap_or(NO_WORD))
            .collect()
    }
}
