//! How the C allocator hands memory back. glibc raises its mmap threshold
//! each time a large block is freed, so after the first 16 MiB feed body
//! every later one comes from per-thread heaps that never shrink: 64
//! worst-case feeds polled at once kept 400 MB resident against 160 MB
//! with the threshold fixed. Fixing it keeps large bodies and parse
//! buffers in their own mappings, returned to the system when freed.

/// Blocks this large or larger are mapped on their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Called once at start, before other threads allocate.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of glibc's allocator;
    // it is called before the runtime starts its threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
