//! Anki's package files: the zip around a collection. An export writes the
//! legacy package every client imports (`collection.anki2` and a `media`
//! map); an import takes that, the later legacy one (`collection.anki21`),
//! the current one (`collection.anki21b`, compressed with zstd, with a
//! `meta` entry naming the version), a `.colpkg` (the same zip) or a bare
//! collection file.

use std::io::{Cursor, Read, Seek, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// The largest collection an import unpacks: a guard against a zip bomb
/// filling the disk, far above any learner's collection.
pub const MAX_COLLECTION: u64 = 4 << 30;

/// The package versions this build reads (`meta`'s version field).
const LATEST_VERSION: u64 = 3;

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::Anki {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// A legacy `.apkg`: the schema-11 collection (streamed from
/// `collection`: it can be hundreds of megabytes) and an empty media map.
pub fn write_apkg(collection: &mut impl Read) -> Result<Vec<u8>> {
    let zip_error =
        |e: zip::result::ZipError| Error::Usage(format!("cannot build the package: {e}"));
    let io_error = |e: std::io::Error| Error::Usage(format!("cannot build the package: {e}"));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // The fastest level: a package is written once and copied to a phone;
    // the next levels save a few percent for several times the time.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    zip.start_file("collection.anki2", options)
        .map_err(zip_error)?;
    std::io::copy(collection, &mut zip).map_err(io_error)?;
    zip.start_file("media", options).map_err(zip_error)?;
    zip.write_all(b"{}").map_err(io_error)?;
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}

/// Copies the collection inside `file` (a package or a bare collection)
/// into `out`, so that the learner's own file is only ever read.
pub fn extract_collection(
    path: &Path,
    file: &mut std::fs::File,
    out: &mut impl Write,
) -> Result<()> {
    let mut magic = [0u8; 16];
    let n = read_up_to(file, &mut magic).map_err(|e| Error::io(path, e))?;
    file.rewind().map_err(|e| Error::io(path, e))?;
    if magic[..n].starts_with(SQLITE_MAGIC) {
        // An open collection keeps its latest changes in a write-ahead log
        // beside it, which a copy of the file alone would miss.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Err(bad(
                path,
                "this collection is open in Anki (its -wal file is beside it): close Anki first, or export a .colpkg from it",
            ));
        }
        let copied = std::io::copy(&mut file.take(MAX_COLLECTION + 1), out)
            .map_err(|e| Error::io(path, e))?;
        return too_big(path, copied);
    }
    if !magic[..n].starts_with(ZIP_MAGIC) {
        return Err(bad(
            path,
            "not an Anki package (.apkg, .colpkg) or collection file (.anki2, .anki21)",
        ));
    }
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| bad(path, format!("not a readable Anki package: {e}")))?;
    if let Some(version) = package_version(&mut zip)
        && version > LATEST_VERSION
    {
        return Err(bad(
            path,
            format!(
                "written by a newer Anki (package version {version}; this build reads up to {LATEST_VERSION}); export it from Anki as a legacy package (\"Support older Anki versions\")"
            ),
        ));
    }
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let pick = [
        "collection.anki21b",
        "collection.anki21",
        "collection.anki2",
    ]
    .into_iter()
    .find(|n| names.iter().any(|m| m == n))
    .ok_or_else(|| {
        bad(
            path,
            "this zip holds no Anki collection (no collection.anki2, .anki21 or .anki21b)",
        )
    })?;
    let entry = zip
        .by_name(pick)
        .map_err(|e| bad(path, format!("cannot read {pick}: {e}")))?;
    let limited = entry.take(MAX_COLLECTION + 1);
    let copied = if pick.ends_with('b') {
        let mut decoder = zstd::stream::read::Decoder::new(limited)
            .map_err(|e| bad(path, format!("cannot unpack {pick}: {e}")))?;
        std::io::copy(&mut (&mut decoder).take(MAX_COLLECTION + 1), out)
    } else {
        let mut limited = limited;
        std::io::copy(&mut limited, out)
    }
    .map_err(|e| bad(path, format!("cannot unpack {pick}: {e}")))?;
    too_big(path, copied)
}

fn too_big(path: &Path, copied: u64) -> Result<()> {
    if copied > MAX_COLLECTION {
        return Err(bad(
            path,
            format!(
                "its collection is over {} GiB: not unpacked",
                MAX_COLLECTION >> 30
            ),
        ));
    }
    Ok(())
}

/// `meta`'s version: a protobuf message whose field 1 is the version, as a
/// varint. `None` when there is no `meta` (the oldest packages).
fn package_version<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<u64> {
    let mut bytes = Vec::new();
    zip.by_name("meta")
        .ok()?
        .take(1024)
        .read_to_end(&mut bytes)
        .ok()?;
    let mut rest = bytes.as_slice();
    while let Some((&key, tail)) = rest.split_first() {
        let (value, after) = varint(tail)?;
        if key == 0x08 {
            return Some(value);
        }
        // Only varint fields are expected; anything else ends the scan.
        if key & 7 != 0 {
            return None;
        }
        rest = after;
    }
    None
}

fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn extract(bytes: &[u8]) -> Result<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.apkg");
        std::fs::write(&path, bytes).unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let mut out = Vec::new();
        extract_collection(&path, &mut file, &mut out)?;
        Ok(out)
    }

    const DB: &[u8] = b"SQLite format 3\0rest of the file";

    #[test]
    fn an_exported_package_reads_back() {
        assert_eq!(extract(&write_apkg(&mut &DB[..]).unwrap()).unwrap(), DB);
    }

    #[test]
    fn the_current_format_is_unpacked_and_preferred() {
        let packed = zstd::stream::encode_all(DB, 3).unwrap();
        let bytes = zip_of(&[
            ("meta", vec![0x08, 0x03]),
            (
                "collection.anki2",
                b"SQLite format 3\0please update".to_vec(),
            ),
            ("collection.anki21b", packed),
        ]);
        assert_eq!(extract(&bytes).unwrap(), DB);
    }

    #[test]
    fn a_bare_collection_is_copied() {
        assert_eq!(extract(DB).unwrap(), DB);
    }

    #[test]
    fn an_open_collection_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("collection.anki2");
        std::fs::write(&path, DB).unwrap();
        std::fs::write(dir.path().join("collection.anki2-wal"), b"frames").unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let e = extract_collection(&path, &mut file, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("open in Anki"), "{e}");
        // An empty -wal (Anki closed cleanly) is no obstacle.
        std::fs::write(dir.path().join("collection.anki2-wal"), b"").unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        assert!(extract_collection(&path, &mut file, &mut Vec::new()).is_ok());
    }

    #[test]
    fn a_newer_package_version_is_refused() {
        let bytes = zip_of(&[
            ("meta", vec![0x08, 0x04]),
            ("collection.anki2", DB.to_vec()),
        ]);
        let e = extract(&bytes).unwrap_err().to_string();
        assert!(e.contains("newer Anki (package version 4"), "{e}");
    }

    #[test]
    fn other_files_are_refused_with_what_was_expected() {
        let e = extract(b"hello").unwrap_err().to_string();
        assert!(e.contains("not an Anki package"), "{e}");
        let e = extract(&zip_of(&[("x.txt", b"x".to_vec())]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds no Anki collection"), "{e}");
        let e = extract(b"PK\x03\x04 broken").unwrap_err().to_string();
        assert!(e.contains("not a readable Anki package"), "{e}");
    }

    #[test]
    fn corrupt_zstd_is_an_error_not_a_panic() {
        let bytes = zip_of(&[("collection.anki21b", b"not zstd".to_vec())]);
        let e = extract(&bytes).unwrap_err().to_string();
        assert!(e.contains("cannot unpack collection.anki21b"), "{e}");
    }
}
