//! A progress bar on stderr for long commands: `[#####     ] 45000/100000 leaves fetched`,
//! redrawn in place, ended with a newline when done.

use std::io::Write;

/// Draw the bar for `done` of `total` things.
pub fn bar(what: &str, done: u64, total: u64) {
    const WIDTH: u64 = 30;
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {done}/{total} {what}",
        "#".repeat(filled as usize),
        " ".repeat((WIDTH - filled) as usize)
    );
    if done >= total {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}
