//! Files only the server's own user can read. Everything fieldcase keeps is
//! someone's data or a secret: the data folder and every folder in it are
//! `0700`; databases (with SQLite's `-wal` and `-shm`), photos, thumbnails,
//! key files and the demo links `0600`. New ones are created so (no window
//! with wider modes); existing ones are narrowed at start-up.

use std::io;
use std::path::Path;

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// `create_dir_all`, each new folder `0700`.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(path)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(path)
}

/// Write `bytes` to `path` (created or truncated), readable by the owner only.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let mut file = options.open(path)?;
    // An existing file keeps its mode through open: narrow it too.
    restrict(path, FILE_MODE)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Create `path` empty and `0600` if it does not exist (so what then opens
/// it, e.g. SQLite, never makes it readable by others).
pub fn create_if_missing(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options.open(path).map(drop)
}

/// Set `path`'s mode; nothing when it does not exist.
pub fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Make the data folder private: created `0700`; one from before this rule
/// (wider than `0700`) is narrowed with everything in it, once (after that
/// it is `0700` and what is made in it is private already, so a start-up
/// does not walk every photo).
pub fn secure_data_dir(root: &Path) -> io::Result<()> {
    create_dir_all(root)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root)?.permissions().mode();
        if mode & 0o077 != 0 {
            secure_tree(root)?;
        }
    }
    Ok(())
}

/// Narrow an existing data folder: itself and every folder under it `0700`,
/// every file `0600` (a data dir from before this rule, or copied in).
/// Symbolic links are left alone (never followed).
pub fn secure_tree(root: &Path) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(root) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        restrict(root, DIR_MODE)?;
        for entry in std::fs::read_dir(root)? {
            secure_tree(&entry?.path())?;
        }
    } else if meta.is_file() {
        restrict(root, FILE_MODE)?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_existing_files_and_folders_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_dir_all(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        let file = nested.join("f");
        write(&file, b"x").unwrap();
        assert_eq!(mode(&file), 0o600);

        let old = dir.path().join("old");
        std::fs::create_dir(&old).unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(old.join("photo"), b"x").unwrap();
        std::fs::set_permissions(old.join("photo"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        secure_tree(dir.path()).unwrap();
        assert_eq!(mode(&old), 0o700);
        assert_eq!(mode(&old.join("photo")), 0o600);
        assert_eq!(mode(dir.path()), 0o700);
    }
}
