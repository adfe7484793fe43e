//! `103 Early Hints` (RFC 8297), the same for every HTTP version: the server answers the
//! HTML's request at once with a `link: <path>; rel=preload; as=…` field (RFC 8288 §3) per
//! critical asset, before its final response; the browser may fetch each at once (§2).

use crate::ids::AssetId;
use crate::page::Page;

/// The preload `link` field value for one asset: `</a.css>; rel=preload; as=style`.
pub fn preload_link(page: &Page, id: AssetId) -> String {
    let a = page.asset(id);
    format!("<{}>; rel=preload; as={}", a.path, a.kind.preload_as())
}

/// The `link` fields of a 103 naming `ids`, as (name, value).
pub fn fields(page: &Page, ids: &[AssetId]) -> Vec<(&'static str, String)> {
    ids.iter()
        .map(|&id| ("link", preload_link(page, id)))
        .collect()
}

/// The path a `link` field value `</path>; rel=preload; ...` preloads (RFC 8288 §3), if it
/// is a preload.
pub fn preload_target(value: &str) -> Option<&str> {
    let rest = value.trim_start().strip_prefix('<')?;
    let end = rest.find('>')?;
    let params = &rest[end + 1..];
    params
        .split(';')
        .any(|p| p.trim().eq_ignore_ascii_case("rel=preload"))
        .then_some(&rest[..end])
}

/// The paths a 1xx response's fields preload, in field order: the `link` fields of a 103
/// (other statuses hint nothing).
pub fn preloads(status: u16, fields: &[(String, String)]) -> impl Iterator<Item = &str> {
    fields
        .iter()
        .filter(move |_| status == 103)
        .filter(|(name, _)| name.eq_ignore_ascii_case("link"))
        .filter_map(|(_, value)| preload_target(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    #[test]
    fn a_preload_link_names_its_path_and_destination_and_parses_back() {
        let p = Page::preset(PresetId::Blog);
        let v = preload_link(&p, AssetId(1));
        assert_eq!(
            v,
            format!("<{}>; rel=preload; as=style", p.asset(AssetId(1)).path)
        );
        let fields = vec![("link".to_owned(), v), ("x".to_owned(), "<a>".to_owned())];
        let got: Vec<&str> = preloads(103, &fields).collect();
        assert_eq!(got, [p.asset(AssetId(1)).path.as_str()]);
        assert_eq!(preloads(100, &fields).count(), 0);
        assert_eq!(preload_target("</a.js>; rel=prefetch"), None);
    }
}
