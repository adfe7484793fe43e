//! RFC 7541 §2.3 and §4: the static table (Appendix A) and the dynamic table, with entry
//! sizes, eviction and maximum-size changes.

use std::collections::{BTreeMap, VecDeque};
use std::sync::OnceLock;

use super::{HeaderField, TableSnapshot};

/// RFC 7541 Appendix A: the static table; HPACK index `i` (1..=61) is `STATIC_TABLE[i - 1]`.
pub const STATIC_TABLE: [(&str, &str); 61] = [
    (":authority", ""),
    (":method", "GET"),
    (":method", "POST"),
    (":path", "/"),
    (":path", "/index.html"),
    (":scheme", "http"),
    (":scheme", "https"),
    (":status", "200"),
    (":status", "204"),
    (":status", "206"),
    (":status", "304"),
    (":status", "400"),
    (":status", "404"),
    (":status", "500"),
    ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"),
    ("accept-language", ""),
    ("accept-ranges", ""),
    ("accept", ""),
    ("access-control-allow-origin", ""),
    ("age", ""),
    ("allow", ""),
    ("authorization", ""),
    ("cache-control", ""),
    ("content-disposition", ""),
    ("content-encoding", ""),
    ("content-language", ""),
    ("content-length", ""),
    ("content-location", ""),
    ("content-range", ""),
    ("content-type", ""),
    ("cookie", ""),
    ("date", ""),
    ("etag", ""),
    ("expect", ""),
    ("expires", ""),
    ("from", ""),
    ("host", ""),
    ("if-match", ""),
    ("if-modified-since", ""),
    ("if-none-match", ""),
    ("if-range", ""),
    ("if-unmodified-since", ""),
    ("last-modified", ""),
    ("link", ""),
    ("location", ""),
    ("max-forwards", ""),
    ("proxy-authenticate", ""),
    ("proxy-authorization", ""),
    ("range", ""),
    ("referer", ""),
    ("refresh", ""),
    ("retry-after", ""),
    ("server", ""),
    ("set-cookie", ""),
    ("strict-transport-security", ""),
    ("transfer-encoding", ""),
    ("user-agent", ""),
    ("vary", ""),
    ("via", ""),
    ("www-authenticate", ""),
];

/// RFC 7541 §2.3.3: the static table's length; dynamic indexes start right after it.
pub const STATIC_LEN: usize = STATIC_TABLE.len();

/// RFC 7541 §4.1: the overhead counted for every entry on top of its name and value.
pub const ENTRY_OVERHEAD: usize = 32;

/// The static table as shared fields, built once, so indexed hits do not allocate.
pub(crate) fn static_fields() -> &'static [HeaderField] {
    static FIELDS: OnceLock<Vec<HeaderField>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        STATIC_TABLE
            .iter()
            .map(|&(n, v)| HeaderField::new(n, v))
            .collect()
    })
}

/// Finds `name`/`value` in the static table: `Some((index, true))` for an exact match,
/// `Some((index, false))` for the first entry with that name, `None` otherwise.
pub(crate) fn static_lookup(name: &str, value: &str) -> Option<(usize, bool)> {
    // Entries sharing a name are contiguous, so one range per name.
    let (first, last) = match name {
        ":authority" => (1, 1),
        ":method" => (2, 3),
        ":path" => (4, 5),
        ":scheme" => (6, 7),
        ":status" => (8, 14),
        _ => {
            let i = STATIC_TABLE[14..].iter().position(|&(n, _)| n == name)?;
            (i + 15, i + 15)
        }
    };
    for i in first..=last {
        if STATIC_TABLE[i - 1].1 == value {
            return Some((i, true));
        }
    }
    Some((first, false))
}

/// A 64-bit FNV-1a hash (draft-eastlake-fnv §2): equal strings have equal fingerprints, so
/// different fingerprints rule a match out without comparing the strings.
fn fingerprint(s: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    s.bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// RFC 7541 §2.3.2 and §4: the dynamic table, newest entry first.
#[derive(Clone, Debug)]
pub(crate) struct DynamicTable {
    entries: VecDeque<HeaderField>,
    /// The [`fingerprint`]s of each entry's name and value, in the order of `entries`: a
    /// search compares these before touching the strings.
    fingerprints: VecDeque<(u64, u64)>,
    /// Entries ever inserted: the entry at dynamic index `i` was the
    /// `inserted - 1 - i`-th (its ordinal).
    inserted: u64,
    /// The ordinal of the newest entry per name fingerprint, and per name and value
    /// fingerprints: a search looks there first (eviction takes the oldest entries, so the
    /// newest with a key is evicted last).
    newest_name: BTreeMap<u64, u64>,
    newest_field: BTreeMap<(u64, u64), u64>,
    size: usize,
    max_size: usize,
}

impl DynamicTable {
    pub(crate) fn new(max_size: usize) -> DynamicTable {
        DynamicTable {
            entries: VecDeque::new(),
            fingerprints: VecDeque::new(),
            inserted: 0,
            newest_name: BTreeMap::new(),
            newest_field: BTreeMap::new(),
            size: 0,
            max_size,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn max_size(&self) -> usize {
        self.max_size
    }

    /// The entry at dynamic index `i` (0 = newest), if any.
    pub(crate) fn get(&self, i: usize) -> Option<&HeaderField> {
        self.entries.get(i)
    }

    /// Searches the table for `name`: the dynamic index (0 = newest) of the newest entry with
    /// this name and value, and that of the newest entry with this name.
    pub(crate) fn find(&self, name: &str, value: &str) -> (Option<usize>, Option<usize>) {
        let (n, v) = (fingerprint(name), fingerprint(value));
        // The newest entries with these fingerprints; when their strings match they are the
        // answer, else (a fingerprint collision) the scan below decides.
        let index = |ordinal: u64| usize::try_from(self.inserted - 1 - ordinal).ok();
        let name_at = self.newest_name.get(&n).and_then(|&o| index(o));
        let field_at = self.newest_field.get(&(n, v)).and_then(|&o| index(o));
        let name_ok = match name_at.and_then(|i| self.entries.get(i)) {
            Some(e) => *e.name == *name,
            None => name_at.is_none(),
        };
        let field_ok = match field_at.and_then(|i| self.entries.get(i)) {
            Some(e) => *e.name == *name && *e.value == *value,
            None => field_at.is_none(),
        };
        if name_ok && field_ok {
            debug_assert_eq!((field_at, name_at), self.scan(n, v, name, value));
            return (field_at, name_at);
        }
        self.scan(n, v, name, value)
    }

    /// [`DynamicTable::find`] by a scan of every entry, newest first.
    fn scan(&self, n: u64, v: u64, name: &str, value: &str) -> (Option<usize>, Option<usize>) {
        let mut name_match = None;
        for (i, &(fn_, fv)) in self.fingerprints.iter().enumerate() {
            if fn_ != n {
                continue;
            }
            let Some(e) = self.entries.get(i) else {
                break;
            };
            if *e.name != *name {
                continue;
            }
            if fv == v && *e.value == *value {
                return (Some(i), name_match.or(Some(i)));
            }
            name_match = name_match.or(Some(i));
        }
        (None, name_match)
    }

    /// RFC 7541 §4.4: evicts from the oldest end until `field` fits, then inserts it; a field
    /// larger than the whole table empties it and is not inserted. Evicted entries are
    /// appended to `evicted`, oldest first. Returns whether the field was inserted.
    pub(crate) fn insert(&mut self, field: HeaderField, evicted: &mut Vec<HeaderField>) -> bool {
        let need = field.size();
        if need > self.max_size {
            evicted.extend(self.entries.drain(..).rev());
            self.fingerprints.clear();
            self.newest_name.clear();
            self.newest_field.clear();
            self.size = 0;
            return false;
        }
        while self.size + need > self.max_size {
            self.evict_oldest(evicted);
        }
        self.size += need;
        let (n, v) = (fingerprint(&field.name), fingerprint(&field.value));
        self.fingerprints.push_front((n, v));
        self.newest_name.insert(n, self.inserted);
        self.newest_field.insert((n, v), self.inserted);
        self.inserted += 1;
        self.entries.push_front(field);
        true
    }

    /// RFC 7541 §4.3: sets a new maximum size, evicting what no longer fits.
    pub(crate) fn set_max_size(&mut self, max_size: usize, evicted: &mut Vec<HeaderField>) {
        self.max_size = max_size;
        while self.size > self.max_size {
            self.evict_oldest(evicted);
        }
    }

    fn evict_oldest(&mut self, evicted: &mut Vec<HeaderField>) {
        if let Some(old) = self.entries.pop_back() {
            let ordinal = self.inserted - 1 - self.entries.len() as u64;
            if let Some((n, v)) = self.fingerprints.pop_back() {
                // The newest entry with a key goes last: forget the key with it.
                if self.newest_name.get(&n) == Some(&ordinal) {
                    self.newest_name.remove(&n);
                }
                if self.newest_field.get(&(n, v)) == Some(&ordinal) {
                    self.newest_field.remove(&(n, v));
                }
            }
            self.size -= old.size();
            evicted.push(old);
        }
    }

    /// A fingerprint of the table (FNV-1a 64 over each entry's name and value
    /// [`fingerprint`]s, newest first, then the maximum size), computed in place: no
    /// snapshot, no string bytes touched.
    pub(crate) fn digest(&self) -> u64 {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mix = |h: u64, x: u64| (h ^ x).wrapping_mul(PRIME);
        let h = self
            .fingerprints
            .iter()
            .fold(OFFSET, |h, &(n, v)| mix(mix(h, n), v));
        mix(h, self.max_size as u64)
    }

    pub(crate) fn snapshot(&self) -> TableSnapshot {
        TableSnapshot {
            entries: self.entries.iter().cloned().collect(),
            size: self.size,
            max_size: self.max_size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_table_spot_checks() {
        assert_eq!(STATIC_LEN, 61);
        assert_eq!(STATIC_TABLE[0], (":authority", ""));
        assert_eq!(STATIC_TABLE[15], ("accept-encoding", "gzip, deflate"));
        assert_eq!(STATIC_TABLE[60], ("www-authenticate", ""));
        assert_eq!(static_fields().len(), 61);
    }

    #[test]
    fn static_lookup_finds_exact_and_name_matches() {
        assert_eq!(static_lookup(":method", "POST"), Some((3, true)));
        assert_eq!(static_lookup(":method", "PUT"), Some((2, false)));
        assert_eq!(static_lookup(":status", "500"), Some((14, true)));
        assert_eq!(static_lookup(":status", "302"), Some((8, false)));
        assert_eq!(
            static_lookup("accept-encoding", "gzip, deflate"),
            Some((16, true))
        );
        assert_eq!(static_lookup("cookie", "a=b"), Some((32, false)));
        assert_eq!(static_lookup("www-authenticate", ""), Some((61, true)));
        assert_eq!(static_lookup("x-custom", ""), None);
        // Every entry finds itself.
        for (i, &(n, v)) in STATIC_TABLE.iter().enumerate() {
            assert_eq!(static_lookup(n, v), Some((i + 1, true)));
        }
    }

    #[test]
    fn find_prefers_the_newest_entry() {
        let mut t = DynamicTable::new(200);
        let mut ev = Vec::new();
        t.insert(HeaderField::new("a", "1"), &mut ev);
        t.insert(HeaderField::new("b", "1"), &mut ev);
        t.insert(HeaderField::new("a", "2"), &mut ev);
        t.insert(HeaderField::new("a", "1"), &mut ev);
        // Newest first: a:1, a:2, b:1, a:1.
        assert_eq!(t.find("a", "1"), (Some(0), Some(0)));
        assert_eq!(t.find("a", "2"), (Some(1), Some(0)));
        assert_eq!(t.find("a", "3"), (None, Some(0)));
        assert_eq!(t.find("b", "1"), (Some(2), Some(2)));
        assert_eq!(t.find("c", "1"), (None, None));
        // Eviction drops the oldest entries' fingerprints with them.
        t.set_max_size(68, &mut ev);
        assert_eq!(t.find("b", "1"), (None, None));
        assert_eq!(t.find("a", "2"), (Some(1), Some(0)));
        t.insert(HeaderField::new("x", &"y".repeat(300)), &mut ev);
        assert_eq!(t.find("a", "1"), (None, None));
    }

    #[test]
    fn eviction_and_resizing() {
        let mut t = DynamicTable::new(100);
        let mut ev = Vec::new();
        let a = HeaderField::new("a", "1"); // 34
        let b = HeaderField::new("b", "22"); // 35
        let c = HeaderField::new("c", "333"); // 36
        assert!(t.insert(a.clone(), &mut ev));
        assert!(t.insert(b.clone(), &mut ev));
        assert_eq!((t.len(), t.size()), (2, 69));
        assert!(t.insert(c.clone(), &mut ev));
        assert_eq!(ev, std::slice::from_ref(&a));
        assert_eq!((t.len(), t.size()), (2, 71));
        assert_eq!(t.get(0), Some(&c));
        assert_eq!(t.get(1), Some(&b));
        assert_eq!(t.get(2), None);
        ev.clear();
        t.set_max_size(40, &mut ev);
        assert_eq!(ev, std::slice::from_ref(&b));
        assert_eq!((t.len(), t.size(), t.max_size()), (1, 36, 40));
        ev.clear();
        // Too big for the table: empties it, not inserted.
        assert!(!t.insert(HeaderField::new("big", &"x".repeat(10)), &mut ev));
        assert_eq!(ev, [c]);
        assert_eq!((t.len(), t.size()), (0, 0));
        ev.clear();
        t.set_max_size(0, &mut ev);
        assert!(!t.insert(a, &mut ev));
        assert!(ev.is_empty());
        let s = t.snapshot();
        assert_eq!((s.entries.len(), s.size, s.max_size), (0, 0, 0));
    }
}
