//! The driver's compiled pipelines on disk, so that a new process skips the
//! driver's compile of a program it has run before.
//!
//! wgpu exposes the driver's pipeline cache (`wgpu::PipelineCache`, on
//! Vulkan) as bytes; vyre keeps them in one file per adapter in the
//! platform's cache directory (`$XDG_CACHE_HOME/vyre` or `~/.cache/vyre`,
//! `~/Library/Caches/vyre`, `%LOCALAPPDATA%\vyre`). `VYRE_CACHE_DIR`
//! chooses another directory; `VYRE_CACHE=off` turns the cache off.
//!
//! A cache is never a reason to fail: a file that is missing, truncated,
//! corrupt, written for another adapter or driver, or a directory that
//! cannot be written is ignored (with one warning per process on stderr),
//! and the pipelines are compiled as if there were no cache. The file
//! wraps wgpu's bytes in an envelope of vyre's own — a magic word, the
//! payload's length and a 64-bit FNV-1a hash of it — so that a damaged
//! file is recognised before its bytes reach the driver; wgpu then checks
//! its own header (adapter, driver version, wgpu version) and starts
//! empty when the bytes are not for this device.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// `VYRE_CACHE=off` (or `0`, `false`) turns the disk cache off.
pub const CACHE_ENV: &str = "VYRE_CACHE";
/// `VYRE_CACHE_DIR=/path` keeps the cache files there.
pub const CACHE_DIR_ENV: &str = "VYRE_CACHE_DIR";

/// First bytes of a cache file; the last byte is the envelope's version.
const MAGIC: [u8; 8] = *b"VYREPC\0\x01";
/// Magic, payload length, payload hash.
const HEADER_BYTES: usize = 8 + 8 + 8;

/// The directory of the cache files, from the environment `var`, or `None`
/// when the cache is off or no directory is known.
pub(crate) fn cache_dir(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    if let Some(v) = set(CACHE_ENV) {
        let v = v.trim();
        if v.eq_ignore_ascii_case("off") || v == "0" || v.eq_ignore_ascii_case("false") {
            return None;
        }
    }
    if let Some(dir) = set(CACHE_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    let base = if cfg!(target_os = "windows") {
        PathBuf::from(set("LOCALAPPDATA")?)
    } else if cfg!(target_os = "macos") {
        PathBuf::from(set("HOME")?).join("Library").join("Caches")
    } else if let Some(xdg) = set("XDG_CACHE_HOME") {
        PathBuf::from(xdg)
    } else {
        PathBuf::from(set("HOME")?).join(".cache")
    };
    Some(base.join("vyre"))
}

/// 64-bit FNV-1a: enough to tell a damaged file from an intact one.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_on(0xcbf2_9ce4_8422_2325, bytes)
}

/// [`fnv1a`] going on from hash `h` (of the bytes before `bytes`).
pub(crate) fn fnv1a_on(h: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(h, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `payload` in vyre's envelope, as written to disk.
pub(crate) fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// What is wrong with a cache file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileProblem {
    /// Shorter than its header says.
    Truncated,
    /// Not a vyre cache file (or another envelope version).
    NotACacheFile,
    /// Longer than its header says, or the payload's hash differs.
    Corrupt,
}

impl FileProblem {
    fn describe(self) -> &'static str {
        match self {
            FileProblem::Truncated => "truncated",
            FileProblem::NotACacheFile => "not a vyre cache file",
            FileProblem::Corrupt => "corrupt",
        }
    }
}

/// The payload of a cache file and its hash, checked against its
/// envelope.
pub(crate) fn decode(bytes: &[u8]) -> Result<(&[u8], u64), FileProblem> {
    let word = |at: usize| -> Option<u64> {
        let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
        Some(u64::from_le_bytes(b))
    };
    if bytes.len() >= MAGIC.len() && bytes[..MAGIC.len()] != MAGIC {
        return Err(FileProblem::NotACacheFile);
    }
    let (Some(len), Some(hash)) = (word(8), word(16)) else {
        return Err(FileProblem::Truncated);
    };
    let payload = &bytes[HEADER_BYTES..];
    match (payload.len() as u64).cmp(&len) {
        std::cmp::Ordering::Less => Err(FileProblem::Truncated),
        std::cmp::Ordering::Greater => Err(FileProblem::Corrupt),
        std::cmp::Ordering::Equal if fnv1a(payload) != hash => Err(FileProblem::Corrupt),
        std::cmp::Ordering::Equal => Ok((payload, hash)),
    }
}

/// Says once per process that a cache file is being ignored, and why.
pub(crate) fn warn_once(what: &str) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!("vyre: ignoring a cache file: {what} (results are unaffected; set {CACHE_ENV}=off to silence this)");
    }
}

/// The payload of the cache file at `path`, or `None` (missing or
/// unusable: warned).
pub(crate) fn load(path: &Path) -> Option<Vec<u8>> {
    load_hashed(path).map(|(payload, _)| payload)
}

/// [`load`], with the payload's hash (as the envelope checked it).
fn load_hashed(path: &Path) -> Option<(Vec<u8>, u64)> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            warn_once(&format!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    match decode(&bytes) {
        Ok((payload, hash)) => Some((payload.to_vec(), hash)),
        Err(problem) => {
            warn_once(&format!("{} is {}", path.display(), problem.describe()));
            None
        }
    }
}

/// Writes `payload` to `path` through a temporary file and a rename, so
/// that a reader never sees half a file. Failures are warned, not returned.
pub(crate) fn store(path: &Path, payload: &[u8]) {
    let result = (|| {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        // A name no other writer uses: other threads and processes may
        // save the same cache at the same time; the last rename wins.
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
        fs::write(&tmp, encode(payload))?;
        fs::rename(&tmp, path).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    })();
    if let Err(e) = result {
        warn_once(&format!("cannot write {}: {e}", path.display()));
    }
}

/// Removes the oldest files with extension `ext` in `dir` beyond the
/// newest `keep` (by modification time), so that a cache that keeps a
/// file per module does not grow without bound. Failures are ignored: the
/// files are a cache.
pub(crate) fn prune(dir: &Path, ext: &str, keep: usize) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let path = e.path();
            if path.extension()? != ext {
                return None;
            }
            Some((e.metadata().ok()?.modified().ok()?, path))
        })
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort();
    let extra = files.len() - keep;
    for (_, path) in files.into_iter().take(extra) {
        let _ = fs::remove_file(path);
    }
}

/// First bytes of a pipeline cache file's payload: the list of modules
/// whose pipelines the driver's data was saved after (then the data).
const MODULES_MAGIC: [u8; 4] = *b"MODS";

/// A pipeline that took longer than this to create was compiled, not
/// found in the driver's cache: on the H100 and H200 the smallest entry
/// point of a vyre module takes 20 ms or more to compile and every entry
/// point of a 20-handler program under 4 ms to load.
pub(crate) const LOADED_UNDER: std::time::Duration = std::time::Duration::from_millis(15);

/// Whether a module's pipelines came from the cache file: it lists the
/// module and none took [`LOADED_UNDER`] or longer.
fn loaded_from_file(listed: bool, slowest: std::time::Duration) -> bool {
    listed && slowest < LOADED_UNDER
}

/// A cache file's payload: the modules it lists and the driver's data.
/// A payload without the list (an older file) lists nothing.
fn split_payload(payload: &[u8]) -> (Vec<u64>, &[u8]) {
    let listed = (|| {
        let rest = payload.strip_prefix(&MODULES_MAGIC)?;
        let count = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let keys = rest.get(4..4 + count.checked_mul(8)?)?;
        let modules = keys
            .chunks_exact(8)
            .filter_map(|k| Some(u64::from_le_bytes(k.try_into().ok()?)))
            .collect();
        Some((modules, &rest[4 + count * 8..]))
    })();
    listed.unwrap_or((Vec::new(), payload))
}

/// The payload of `modules` and the driver's `data`.
fn join_payload(modules: &std::collections::BTreeSet<u64>, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + modules.len() * 8 + data.len());
    out.extend_from_slice(&MODULES_MAGIC);
    out.extend_from_slice(&(modules.len() as u32).to_le_bytes());
    for m in modules {
        out.extend_from_slice(&m.to_le_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// The device's pipeline cache and the file it is kept in.
#[derive(Debug)]
pub(crate) struct DiskCache {
    cache: wgpu::PipelineCache,
    path: PathBuf,
    /// What the file holds (read or last written): the hash of its
    /// payload, so that a save that would write it again is skipped, and
    /// the modules whose pipelines were compiled before it was saved.
    on_disk: std::sync::Mutex<OnDisk>,
}

#[derive(Debug, Default)]
struct OnDisk {
    hash: Option<u64>,
    modules: std::collections::BTreeSet<u64>,
}

impl DiskCache {
    /// The cache of `device` on the adapter `info`, filled from its file
    /// when there is a usable one; `None` when the cache is off, the
    /// device has no pipeline cache (wgpu offers one on Vulkan) or no
    /// directory is known.
    pub(crate) fn open(device: &wgpu::Device, info: &wgpu::AdapterInfo) -> Option<DiskCache> {
        if !device.features().contains(wgpu::Features::PIPELINE_CACHE) {
            return None;
        }
        let key = wgpu::util::pipeline_cache_key(info)?;
        let dir = cache_dir(|name| std::env::var(name).ok())?;
        let path = dir.join(format!("{key}.bin"));
        let loaded = load_hashed(&path);
        let (modules, data) = loaded.as_ref().map_or((Vec::new(), None), |(p, _)| {
            let (modules, data) = split_payload(p);
            (modules, Some(data))
        });
        crate::trace::event!(
            "pipeline cache file",
            bytes = data.map_or(0, <[u8]>::len),
            found = data.is_some(),
            modules = modules.len()
        );
        // SAFETY: `data` is exactly what `PipelineCache::get_data` returned
        // in an earlier process (vyre's envelope checked its length and
        // hash), and wgpu validates its own header (adapter, driver and wgpu
        // versions) before the driver sees it; with `fallback` an unusable
        // cache starts empty instead of failing.
        let cache = unsafe {
            device.create_pipeline_cache(&wgpu::PipelineCacheDescriptor {
                label: Some("vyre"),
                data,
                fallback: true,
            })
        };
        let on_disk = std::sync::Mutex::new(OnDisk {
            hash: loaded.as_ref().map(|&(_, hash)| hash),
            modules: modules.into_iter().collect(),
        });
        Some(DiskCache {
            cache,
            path,
            on_disk,
        })
    }

    /// The cache to compile pipelines with.
    pub(crate) fn pipeline_cache(&self) -> &wgpu::PipelineCache {
        &self.cache
    }

    /// The directory the cache file is in (where `spirv` keeps its files).
    pub(crate) fn directory(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Saves the cache after the pipelines of `module` (a hash of its
    /// WGSL and layout) were created, the slowest in `slowest`, unless the
    /// file lists the module and every pipeline came back faster than
    /// [`LOADED_UNDER`]: they were loaded from the file then, and reading
    /// the driver's data back to find that out costs about 5 ms of a warm
    /// start's 18 (H100, 2026-12-05). A listed module compiled anew (a new
    /// driver whose cache refused the file's data) is saved again.
    pub(crate) fn save_after(&self, module: u64, slowest: std::time::Duration) {
        let listed = super::sync::lock(&self.on_disk).modules.contains(&module);
        if loaded_from_file(listed, slowest) {
            crate::trace::event!("pipelines loaded from the cache file: not saved again");
            return;
        }
        self.save(Some(module));
    }

    /// Writes the cache's current contents to its file (after new
    /// pipelines were compiled, of `module` when given), unless the file
    /// holds them already.
    pub(crate) fn save(&self, module: Option<u64>) {
        let Some(data) = self.cache.get_data() else {
            return;
        };
        let mut on_disk = super::sync::lock(&self.on_disk);
        if let Some(m) = module {
            on_disk.modules.insert(m);
        }
        let payload = join_payload(&on_disk.modules, &data);
        let hash = fnv1a(&payload);
        if on_disk.hash != Some(hash) {
            store(&self.path, &payload);
            on_disk.hash = Some(hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_directory_follows_the_environment() {
        assert_eq!(
            cache_dir(env(&[(CACHE_ENV, "off"), (CACHE_DIR_ENV, "/x")])),
            None
        );
        assert_eq!(cache_dir(env(&[(CACHE_ENV, "0")])), None);
        assert_eq!(
            cache_dir(env(&[(CACHE_DIR_ENV, "/x"), ("HOME", "/h")])),
            Some(PathBuf::from("/x"))
        );
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(
                cache_dir(env(&[("HOME", "/h")])),
                Some(PathBuf::from("/h/.cache/vyre"))
            );
            assert_eq!(
                cache_dir(env(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/c")])),
                Some(PathBuf::from("/c/vyre"))
            );
            assert_eq!(cache_dir(env(&[])), None);
        }
    }

    #[test]
    fn an_intact_file_gives_back_its_payload() {
        for payload in [&b""[..], b"x", &[7u8; 1000]] {
            assert_eq!(decode(&encode(payload)).map(|(p, _)| p), Ok(payload));
        }
    }

    #[test]
    fn every_damaged_file_is_refused() {
        let file = encode(b"the driver's pipeline cache bytes");
        for cut in 0..file.len() {
            let problem = decode(&file[..cut]).unwrap_err();
            assert!(
                matches!(problem, FileProblem::Truncated),
                "cut at {cut}: {problem:?}"
            );
        }
        for at in 0..file.len() {
            let mut bad = file.clone();
            bad[at] ^= 0x40;
            assert!(decode(&bad).is_err(), "byte {at} flipped");
        }
        let mut longer = file.clone();
        longer.push(0);
        assert_eq!(decode(&longer), Err(FileProblem::Corrupt));
        assert_eq!(
            decode(b"some other file entirely"),
            Err(FileProblem::NotACacheFile)
        );
    }

    #[test]
    fn an_unwritable_directory_is_not_an_error() {
        let base = std::env::temp_dir().join(format!("vyre-disk-cache-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(&base).unwrap();
        let blocker = base.join("file");
        fs::write(&blocker, b"").unwrap();
        // A directory below a regular file cannot be created.
        let path = blocker.join("sub").join("cache.bin");
        store(&path, b"data");
        assert_eq!(load(&path), None);
        let good = base.join("ok").join("cache.bin");
        store(&good, b"data");
        assert_eq!(load(&good).as_deref(), Some(&b"data"[..]));
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn pruning_keeps_the_newest_files_of_one_kind() {
        let dir = std::env::temp_dir().join(format!("vyre-prune-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let t0 = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        for i in 0..5u64 {
            let f = dir.join(format!("m{i}.spv"));
            fs::write(&f, b"x").unwrap();
            let file = fs::File::options().write(true).open(&f).unwrap();
            file.set_modified(t0 + std::time::Duration::from_secs(i))
                .unwrap();
        }
        fs::write(dir.join("other.bin"), b"x").unwrap();
        prune(&dir, "spv", 2);
        let mut left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["m3.spv", "m4.spv", "other.bin"]);
        prune(&dir.join("missing"), "spv", 0);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_module_list_comes_back_and_older_payloads_list_nothing() {
        let modules: std::collections::BTreeSet<u64> = [7, 1 << 40, u64::MAX].into();
        let payload = join_payload(&modules, b"driver bytes");
        let (listed, data) = split_payload(&payload);
        assert_eq!(listed, vec![7, 1 << 40, u64::MAX]);
        assert_eq!(data, b"driver bytes");
        // An older file's payload is all driver data.
        assert_eq!(
            split_payload(b"driver bytes"),
            (Vec::new(), &b"driver bytes"[..])
        );
        // A list longer than the payload is not a list.
        let mut short = b"MODS".to_vec();
        short.extend_from_slice(&100u32.to_le_bytes());
        assert_eq!(split_payload(&short), (Vec::new(), &short[..]));
    }

    #[test]
    fn only_a_listed_module_loaded_fast_skips_the_save() {
        let ms = std::time::Duration::from_millis;
        assert!(loaded_from_file(true, ms(4)));
        // Not listed: its pipelines may be new to the file.
        assert!(!loaded_from_file(false, ms(4)));
        // Listed but compiled: the driver refused the file's data.
        assert!(!loaded_from_file(true, ms(20)));
        assert!(!loaded_from_file(true, LOADED_UNDER));
    }
}
