//! Data parallelism over row ranges with `std::thread::scope`: pure CPU, no
//! pool, no IO. Work is cut into fixed blocks independent of the thread
//! count and results come back in block order, so a sum over blocks is the
//! same floating-point sum whether 1 or 16 threads ran it.

use std::ops::Range;

/// Rows per block.
pub const BLOCK: usize = 4096;

/// Applies `f` to consecutive ranges covering `0..n` (each at most [`BLOCK`]
/// long) on up to `threads` threads; results are in range order.
pub fn map_ranges<T: Send>(
    n: usize,
    threads: usize,
    f: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    map_blocks(n, BLOCK, threads, f)
}

/// [`map_ranges`] with blocks of `block` (at least 1) instead of [`BLOCK`]:
/// for work whose items are few but heavy (statements, bootstrap refits).
pub fn map_blocks<T: Send>(
    n: usize,
    block: usize,
    threads: usize,
    f: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    let block = block.max(1);
    let blocks: Vec<Range<usize>> = (0..n.div_ceil(block))
        .map(|b| b * block..((b + 1) * block).min(n))
        .collect();
    let threads = threads.max(1).min(blocks.len());
    if threads <= 1 {
        return blocks.into_iter().map(f).collect();
    }
    let f = &f;
    let blocks = &blocks;
    let mut tagged: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..blocks.len())
                        .step_by(threads)
                        .map(|b| (b, f(blocks[b].clone())))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    });
    tagged.sort_by_key(|(b, _)| *b);
    tagged.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_every_index_once_in_order_for_any_thread_count() {
        for threads in [1, 2, 3, 8] {
            let parts = map_ranges(3 * BLOCK + 5, threads, |r| r.collect::<Vec<_>>());
            let flat: Vec<usize> = parts.concat();
            assert_eq!(flat, (0..3 * BLOCK + 5).collect::<Vec<_>>());
        }
        assert!(map_ranges(0, 4, |r| r.len()).is_empty());
    }
}
