//! Files and folders only their owner can read: session records hold
//! clients' answers.
//!
//! - Unix: files are created `0600` and folders `0700`.
//! - Windows: nothing is set. The default data folder is under the user's
//!   profile (`%APPDATA%\stillpoint\data`, from the `directories` crate),
//!   whose access list admits only that user, the administrators and the
//!   system, and new files inherit it. A folder named with `--data-dir`
//!   keeps whatever access its parent gives.

use std::fs::{DirBuilder, OpenOptions};

/// Makes files created through `options` readable by their owner only.
pub fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Makes folders created through `builder` open to their owner only.
pub fn private_dir(builder: &mut DirBuilder) -> &mut DirBuilder {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
}
