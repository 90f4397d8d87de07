//! Cache files as vyre writes them: the envelope the disk cache, the
//! tunings and the SPIR-V files share (`gpu/disk_cache.rs`), for tests
//! that damage or forge them.

/// `payload` in the cache's envelope (magic, length, FNV-1a hash).
pub fn envelope(payload: &[u8]) -> Vec<u8> {
    let hash = payload.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut f = b"VYREPC\0\x01".to_vec();
    f.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    f.extend_from_slice(&hash.to_le_bytes());
    f.extend_from_slice(payload);
    f
}
