//! Files replaced whole: a reader (a web server serving an export folder,
//! syndic reading its config) sees the old file or the new one, never half.

use std::path::Path;

/// Writes beside the target, then renames, so a crash never leaves half a file.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = folder.unwrap_or(Path::new("."));
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = folder.join(format!(".{file_name}.tmp-{}", std::process::id()));
    std::fs::write(&temp, contents)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temp, meta.permissions());
    }
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
