//! C2SP tlog-tiles paths and tile bodies: hash tiles `tile/<L>/<N>[.p/<W>]`
//! (W consecutive hashes of tree level 8·L) and entry bundles
//! `tile/entries/<N>[.p/<W>]` (W leaves, each a big-endian u16 length and
//! its bytes). `<N>` is written three digits at a time, all but the last
//! group prefixed `x`: 1234067 is `x001/x234/067`.

use crate::tree::Node;
use crate::{LogError, TILE_HEIGHT, TILE_WIDTH};

/// A parsed tile path. `level` is `None` for an entry bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TilePath {
    pub level: Option<u8>,
    pub n: u64,
    /// 1..=256; 256 is a full tile.
    pub width: u64,
}

impl TilePath {
    /// Parse what follows `tile/`: `0/x001/234`, `entries/000.p/17`, …
    pub fn parse(path: &str) -> Result<TilePath, LogError> {
        let bad = || LogError::BadPath(path.to_owned());
        let (first, rest) = path.split_once('/').ok_or_else(bad)?;
        let level = if first == "entries" {
            None
        } else {
            let l: u8 = first.parse().map_err(|_| bad())?;
            if first != l.to_string() || u32::from(l) * u32::from(TILE_HEIGHT) >= 64 {
                return Err(bad());
            }
            Some(l)
        };
        let (index, width) = match rest.split_once(".p/") {
            Some((i, w)) => {
                let w: u64 = w.parse().map_err(|_| bad())?;
                if !(1..TILE_WIDTH).contains(&w) {
                    return Err(bad());
                }
                (i, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let mut n: u64 = 0;
        let groups: Vec<&str> = index.split('/').collect();
        for (i, g) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let digits = if last {
                *g
            } else {
                g.strip_prefix('x').ok_or_else(bad)?
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let d: u64 = digits.parse().map_err(|_| bad())?;
            n = n
                .checked_mul(1000)
                .and_then(|n| n.checked_add(d))
                .ok_or_else(bad)?;
        }
        let t = TilePath { level, n, width };
        // One path per tile: no leading `x000/`.
        if t.path() != format!("tile/{path}") {
            return Err(bad());
        }
        Ok(t)
    }

    /// The path, `tile/…`.
    pub fn path(&self) -> String {
        let mut n = self.n;
        let mut s = format!("{:03}", n % 1000);
        while n >= 1000 {
            n /= 1000;
            s = format!("x{:03}/{s}", n % 1000);
        }
        let level = match self.level {
            Some(l) => l.to_string(),
            None => "entries".into(),
        };
        let partial = if self.width == TILE_WIDTH {
            String::new()
        } else {
            format!(".p/{}", self.width)
        };
        format!("tile/{level}/{s}{partial}")
    }

    /// Can a tree of `size` leaves serve this tile? A full tile must be
    /// complete in it, a partial one exactly as wide as the tree has it.
    pub fn exists_in(&self, size: u64) -> bool {
        let shift = u32::from(self.level.unwrap_or(0)) * u32::from(TILE_HEIGHT);
        let at_level = if shift >= 64 { 0 } else { size >> shift };
        let start = match self.n.checked_mul(TILE_WIDTH) {
            Some(s) => s,
            None => return false,
        };
        let available = at_level.saturating_sub(start).min(TILE_WIDTH);
        if self.width == TILE_WIDTH {
            available == TILE_WIDTH
        } else {
            available == self.width
        }
    }

    /// The nodes a hash tile lists, in order (empty for an entry bundle).
    pub fn nodes(&self) -> Vec<Node> {
        let Some(l) = self.level else {
            return Vec::new();
        };
        (0..self.width)
            .map(|i| Node {
                level: l * TILE_HEIGHT,
                n: self.n * TILE_WIDTH + i,
            })
            .collect()
    }

    /// The leaf indexes an entry bundle holds.
    pub fn leaves(&self) -> std::ops::Range<u64> {
        let start = self.n * TILE_WIDTH;
        start..start + self.width
    }
}

/// An entry bundle's body.
pub fn bundle(leaves: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in leaves {
        let len = u16::try_from(l.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&l[..usize::from(len)]);
    }
    out
}

/// The leaves of an entry bundle, `None` when it is malformed.
pub fn unbundle(mut body: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !body.is_empty() {
        if body.len() < 2 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([body[0], body[1]]));
        body = &body[2..];
        if body.len() < len {
            return None;
        }
        out.push(body[..len].to_vec());
        body = &body[len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_and_refuse_other_spellings() {
        for (p, t) in [
            (
                "0/000",
                TilePath {
                    level: Some(0),
                    n: 0,
                    width: 256,
                },
            ),
            (
                "1/x001/x234/067.p/8",
                TilePath {
                    level: Some(1),
                    n: 1_234_067,
                    width: 8,
                },
            ),
            (
                "entries/005.p/1",
                TilePath {
                    level: None,
                    n: 5,
                    width: 1,
                },
            ),
        ] {
            assert_eq!(TilePath::parse(p), Ok(t));
            assert_eq!(t.path(), format!("tile/{p}"));
        }
        for bad in [
            "0/5",
            "0/x000/005",
            "0/000.p/256",
            "0/000.p/0",
            "01/000",
            "9/000",
            "data/000",
            "0/000/",
        ] {
            assert!(TilePath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_tile_exists_only_at_the_width_the_tree_has_it() {
        let full = TilePath {
            level: Some(0),
            n: 0,
            width: 256,
        };
        assert!(!full.exists_in(255));
        assert!(full.exists_in(256) && full.exists_in(1000));
        let part = TilePath {
            level: Some(0),
            n: 1,
            width: 3,
        };
        assert!(part.exists_in(259) && !part.exists_in(260) && !part.exists_in(258));
        let up = TilePath {
            level: Some(1),
            n: 0,
            width: 2,
        };
        assert!(up.exists_in(512) && up.exists_in(767) && !up.exists_in(768));
    }

    #[test]
    fn bundles_round_trip() {
        let leaves = vec![b"a".to_vec(), Vec::new(), vec![7u8; 300]];
        assert_eq!(unbundle(&bundle(&leaves)), Some(leaves));
        assert_eq!(unbundle(&[0, 5, 1]), None);
    }
}
