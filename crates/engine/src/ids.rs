//! Newtype identifiers used throughout the engine and the trace.

use core::fmt;
use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$m:meta])* $name:ident($inner:ty), $prefix:literal) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id!(
    /// One asset of the page; its index in `Page::assets`.
    AssetId(u32),
    "asset#"
);
id!(
    /// One transport connection of a lane, numbered from 0 in opening order.
    ConnId(u32),
    "conn#"
);
impl ConnId {
    /// The connection opened `i`-th (from 0).
    pub fn at(i: usize) -> ConnId {
        ConnId(u32::try_from(i).unwrap_or(u32::MAX))
    }

    /// Its index in opening order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

id!(
    /// An HTTP/2 or HTTP/3 stream id as on the wire.
    StreamId(u64),
    "stream "
);
id!(
    /// A transport packet number (QUIC) or segment ordinal (TCP).
    PacketNumber(u64),
    "pn "
);
