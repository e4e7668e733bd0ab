//! Writing a command's output to a file: whole or not at all.
//!
//! The text goes to a new temporary file in the target's directory (same file system, so
//! the rename is atomic), is flushed to the disk (`fsync`), and only then renamed over the
//! target. A reader sees the old file or the new one, never a part; a failure at any step
//! (an unwritable directory, a full disk) removes the temporary file and leaves the target
//! as it was.

use crate::exit::CommandError;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically. The error names the path and says why, for people
/// (exit code 4).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CommandError> {
    let fail =
        |why: String| CommandError::Failure(format!("cannot write {}: {why}", path.display()));
    let dir = directory_of(path);
    if path.is_dir() {
        return Err(fail("it is a directory".into()));
    }
    if !dir.is_dir() {
        return Err(fail(format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    // A file being replaced keeps its permissions; a new one gets the usual 0666 & umask.
    let mode = fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777);
    let (temp, mut file) = create_temp(path, &dir, mode).map_err(|e| fail(describe(&e)))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            if let Some(mode) = mode {
                file.set_permissions(fs::Permissions::from_mode(mode))?;
            }
            Ok(())
        })
        .and_then(|()| fs::rename(&temp, path));
    drop(file);
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(fail(describe(&e)));
    }
    // The rename itself reaches the disk with the directory (best effort: some file
    // systems cannot sync a directory, and the file is complete either way).
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The directory `path` is in (`.` for a bare file name).
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new file `.<name>.<pid>.<n>.tmp` beside `path`, created exclusively.
fn create_temp(path: &Path, dir: &Path, mode: Option<u32>) -> io::Result<(PathBuf, File)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let mut last = None;
    for n in 0..100 {
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode.unwrap_or(0o666))
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// An I/O error in words, without Rust's debug text.
fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        io::ErrorKind::StorageFull => "no space left on the device".into(),
        io::ErrorKind::QuotaExceeded => "the disk quota is exhausted".into(),
        io::ErrorKind::NotFound => "the directory does not exist".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn writes_a_new_file_and_replaces_an_existing_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("msmtprc");
        write_atomically(&path, b"first\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"first\n");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let long = "x".repeat(1 << 20);
        write_atomically(&path, long.as_bytes()).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), long);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a replaced file keeps its permissions");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/file.xml");
        let e = write_atomically(&path, b"x").unwrap_err();
        assert_eq!(e.exit(), crate::exit::Exit::Failure);
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("cannot write {}", path.display())),
            "{text}"
        );
        assert!(text.contains("does not exist"), "{text}");
    }

    #[test]
    fn a_directory_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_atomically(dir.path(), b"x").unwrap_err();
        assert!(e.to_string().contains("it is a directory"), "{e}");
    }

    #[test]
    fn errors_read_as_words() {
        let e = io::Error::from_raw_os_error(28);
        assert_eq!(describe(&e), "no space left on the device");
        let e = io::Error::from_raw_os_error(5);
        assert_eq!(describe(&e), "Input/output error");
    }
}
