//! Atomic file writes, one implementation for every command that writes a
//! file (`eval -o`, streamed `eval -o`, `fmt`, `lock`, `test --junit`,
//! `import -o`).
//!
//! The new content goes to a temporary file beside the target, named
//! `.mizan-tmp-<pid>-<n>-<name>`, which is written, flushed to disk
//! (`fsync`), renamed over the target and followed by an `fsync` of the
//! directory: the target is always either the old file or the whole new
//! one, never half of one.
//!
//! - The target's permissions are kept; a new file gets the usual mode
//!   (0666 less the umask), not the 0600 of a private temporary file.
//! - A symbolic link is written through: the link stays, its target (at
//!   the end of the chain) gets the new content, and the temporary file is
//!   made beside the real target.
//! - A target that exists and is neither a regular file nor a directory
//!   (a device such as `/dev/null` or `/dev/stdout`, a named pipe) is
//!   written directly, never replaced: renaming over it would put a
//!   regular file where the device was (as root, `-o /dev/null` replaced
//!   `/dev/null`).
//! - On SIGTERM, SIGINT or SIGHUP the temporary files of the process are
//!   removed before it ends by that signal. A SIGKILL cannot be caught: the
//!   next write into the same directory removes the temporary files whose
//!   process is gone.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The prefix of every temporary file (it is how the sweep recognises them).
pub const PREFIX: &str = ".mizan-tmp-";

/// The temporary files of this process not yet renamed or removed. The
/// lock is held across a rename, so a signal either sees the rename done or
/// removes the file before it happens.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Installs (once) the thread that removes the temporary files on a
/// terminating signal and then ends the process by that signal.
fn guard_signals() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("mizan-signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    // Held to the end: no rename can start after this.
                    let files = live();
                    for f in files.iter() {
                        let _ = fs::remove_file(f);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                    std::process::exit(128 + sig);
                }
            });
    });
}

/// Follows a chain of symbolic links to the path that holds the content
/// (which need not exist yet).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = if to.is_absolute() {
                    to
                } else {
                    p.parent().unwrap_or(Path::new("")).join(to)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Whether process `pid` is a running `mizan` (whose temporary files must
/// be left alone).
fn running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim_end().starts_with("mizan"))
}

/// Removes the temporary files in `dir` left by `mizan` processes that are
/// gone (killed with SIGKILL, or a power cut).
pub fn sweep(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !running(pid) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// A file being written atomically: write to [`AtomicFile::file`], then
/// [`AtomicFile::commit`]. Dropped without a commit, it leaves the target
/// as it was and removes the temporary file.
pub struct AtomicFile {
    target: PathBuf,
    /// The temporary file; `None` when the target is a device or a pipe,
    /// written directly.
    tmp: Option<PathBuf>,
    file: File,
    done: bool,
}

impl AtomicFile {
    /// Creates the temporary file for `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        guard_signals();
        let target = resolve(path)?;
        if let Ok(m) = fs::metadata(&target) {
            if !m.is_file() && !m.is_dir() {
                // A device or a pipe: write to it; there is nothing to
                // replace atomically.
                let file = OpenOptions::new().write(true).open(&target)?;
                return Ok(AtomicFile {
                    target,
                    tmp: None,
                    file,
                    done: false,
                });
            }
        }
        let dir = dir_of(&target).to_path_buf();
        sweep(&dir);
        let keep = fs::metadata(&target)
            .ok()
            .filter(fs::Metadata::is_file)
            .map(|m| m.permissions().mode() & 0o7777);
        let name: String = target
            .file_name()
            .map(|n| n.to_string_lossy().chars().take(100).collect())
            .unwrap_or_default();
        static N: AtomicU64 = AtomicU64::new(0);
        loop {
            let n = N.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!("{PREFIX}{}-{n}-{name}", std::process::id()));
            // Listed and created under the lock: a terminating signal
            // either comes first (and the process ends before the file
            // exists) or finds it listed and removes it. (Listed, then
            // created after the lock was let go, a file could appear just
            // after the signal's clean-up.)
            let opened = {
                let mut live = live();
                let opened = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o666)
                    .open(&tmp);
                if opened.is_ok() {
                    live.push(tmp.clone());
                }
                opened
            };
            match opened {
                Ok(file) => {
                    let f = AtomicFile {
                        target,
                        tmp: Some(tmp),
                        file,
                        done: false,
                    };
                    if let Some(mode) = keep {
                        f.file.set_permissions(fs::Permissions::from_mode(mode))?;
                    }
                    return Ok(f);
                }
                Err(e) => {
                    if e.kind() != io::ErrorKind::AlreadyExists {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flushes the content to disk and renames it over the target, then
    /// flushes the directory.
    pub fn commit(mut self) -> io::Result<()> {
        self.file.flush()?;
        let Some(tmp) = self.tmp.take() else {
            // Written directly (a device or a pipe): nothing to rename.
            self.done = true;
            return Ok(());
        };
        self.file.sync_all()?;
        {
            let mut live = live();
            let renamed = fs::rename(&tmp, &self.target);
            if renamed.is_err() {
                // Dropped: the temporary file is removed.
                self.tmp = Some(tmp);
                return renamed;
            }
            live.retain(|p| p != &tmp);
            self.done = true;
        }
        File::open(dir_of(&self.target))?.sync_all()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let (false, Some(tmp)) = (self.done, &self.tmp) {
            let mut live = live();
            let _ = fs::remove_file(tmp);
            live.retain(|p| p != tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.file().write_all(bytes)?;
    f.commit()
}
