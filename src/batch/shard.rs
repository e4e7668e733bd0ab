//! `--shard I/N`: the I-th of N deterministic slices of the input, so that any job runner
//! can split one input across machines with no coordinator: run the same input with
//! `--shard 1/N` … `--shard N/N` anywhere, and the outputs together answer every line
//! exactly once.
//!
//! A line belongs to shard `(FNV-1a-64(line) mod N) + 1`, where `line` is the entry's
//! text as `batch` reads it (trimmed, without an inline comment) in UTF-8. FNV-1a is fixed
//! by its definition (offset basis 0xcbf29ce484222325, prime 0x100000001b3), so the split is
//! the same on every machine and in every version of mailcfg.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// The most shards an input can be split into.
pub const MAX_SHARDS: u64 = 1_000_000;

impl Shard {
    /// Whether the entry `text` is this shard's.
    pub fn takes(&self, text: &str) -> bool {
        fnv1a64(text.as_bytes()) % self.count == self.index - 1
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!("--shard wants I/N with 1 ≤ I ≤ N ≤ {MAX_SHARDS} (e.g. 2/8), not \"{text}\"")
        };
        let (index, count) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u64 = index.trim().parse().map_err(|_| bad())?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// 64-bit FNV-1a.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn every_line_is_in_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        let mut sizes = [0; 3];
        for n in 0..3000 {
            let line = format!("customer{n}.example.jp");
            let owners: Vec<usize> = (0..3).filter(|i| shards[*i].takes(&line)).collect();
            assert_eq!(owners.len(), 1, "{line}");
            sizes[owners[0]] += 1;
        }
        // A hash spreads them roughly evenly.
        assert!(sizes.iter().all(|s| (800..1200).contains(s)), "{sizes:?}");
    }

    #[test]
    fn bad_shards_are_refused() {
        for bad in ["0/3", "4/3", "1/0", "a/b", "3", "", "-1/3", "1/2000000"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!("1/1".parse::<Shard>().unwrap().to_string(), "1/1");
        assert!("1/1".parse::<Shard>().unwrap().takes("anything"));
    }
}
