//! Giving memory back after a burst.
//!
//! Reading a long protocol (thousands of steps) grows its list of steps by
//! doubling and allocates every string in it; the allocator keeps the pages
//! it freed along the way, so a session that then runs for an hour would
//! carry them as resident memory. glibc's `malloc_trim` returns them; other
//! allocators (musl, macOS, Windows) return large frees on their own, and
//! there this does nothing.

/// Returns the heap's free pages to the system.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no
    // pointers from us and is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
