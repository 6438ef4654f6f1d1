//! Reading a file from disk as untrusted input: only a regular file (or a
//! link to one) is opened, never a pipe, a device or a folder — a pipe
//! would wait for a writer forever, `/dev/zero` never end — and at most
//! [`limits::FILE_BYTES`] of it is read.

use super::ReadError;
use crate::filing::limits;
use crate::text;
use std::io::Read;
use std::path::Path;

/// A file's bytes, when it is a regular file (or a link to one) of at most
/// [`limits::FILE_BYTES`]; none is an error of its own. A pipe, a device or
/// a folder is never opened for reading: a pipe would wait for a writer
/// forever, a device such as `/dev/zero` never end.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let io = |e: std::io::Error| ReadError::Io {
        kind: e.kind(),
        detail: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    regular(path, &meta)?;
    let mut file = open_file(path).map_err(io)?;
    // (The file opened is checked again: it may have been swapped since.)
    let meta = file.metadata().map_err(io)?;
    regular(path, &meta)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limits::FILE_BYTES) as usize);
    (&mut file)
        .take(limits::FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits::FILE_BYTES {
        return Err(too_big());
    }
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(bytes)
}

/// The file is over [`limits::FILE_BYTES`].
fn too_big() -> ReadError {
    let mb = limits::mb(limits::FILE_BYTES);
    ReadError::TooLarge(text!(
        "文件超过 {mb} MB，超出任何填报表的大小",
        "the file is over {mb} MB, bigger than any filing"
    ))
}

/// Whether `meta` is a regular file's of at most the size limit; else
/// what it is.
fn regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let ty = meta.file_type();
    if ty.is_file() {
        return if meta.len() > limits::FILE_BYTES {
            Err(too_big())
        } else {
            Ok(())
        };
    }
    if ty.is_dir() {
        // A folder is handed over as an input only when it cannot be
        // listed (see `filing::discover`): say why.
        return Err(match std::fs::read_dir(path) {
            Err(e) => ReadError::Folder(e.to_string()),
            Ok(_) => ReadError::NotAFile(text!("是文件夹", "a folder")),
        });
    }
    Err(ReadError::NotAFile(special_kind(&ty)))
}

/// What a file that is neither a regular file nor a folder is.
fn special_kind(ty: &std::fs::FileType) -> crate::diag::Text {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() {
            return text!("是命名管道", "a named pipe");
        }
        if ty.is_socket() {
            return text!("是套接字", "a socket");
        }
        if ty.is_block_device() || ty.is_char_device() {
            return text!("是设备", "a device");
        }
    }
    let _ = ty;
    text!("是特殊文件", "a special file")
}

/// Opens a file for reading; on Unix without waiting, should it have
/// become a pipe since it was looked at.
fn open_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    #[cfg(target_os = "macos")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0x0004;
        options.custom_flags(O_NONBLOCK);
    }
    options.open(path)
}
