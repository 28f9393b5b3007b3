//! Content-coding negotiation from `Accept-Encoding` (RFC 9110 §12.5.3),
//! with q-values.

/// A content coding syndic can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    pub const ALL: [Encoding; 3] = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli];

    /// Where this coding stands in [`Encoding::ALL`].
    pub fn index(self) -> usize {
        match self {
            Encoding::Identity => 0,
            Encoding::Gzip => 1,
            Encoding::Brotli => 2,
        }
    }

    /// The `Content-Encoding` value; `None` for identity.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }

    /// Appended to the body's hash so each coding has its own strong ETag.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Encoding::Identity => "",
            Encoding::Gzip => "-gz",
            Encoding::Brotli => "-br",
        }
    }
}

/// The best coding `accept_encoding` allows: the highest q-value, brotli
/// before gzip before identity on ties. Identity is the answer when the
/// header is absent, unreadable, or refuses everything.
pub fn negotiate(accept_encoding: Option<&str>) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let mut star = None;
    let (mut br, mut gzip, mut identity) = (None, None, None);
    for part in header.split(',') {
        let mut fields = part.split(';');
        let coding = fields.next().unwrap_or("").trim();
        let is = |name: &str| coding.eq_ignore_ascii_case(name);
        let slot = if is("br") {
            &mut br
        } else if is("gzip") || is("x-gzip") {
            &mut gzip
        } else if is("identity") {
            &mut identity
        } else if coding == "*" {
            &mut star
        } else {
            continue;
        };
        let q = fields.find_map(q_value).unwrap_or(1.0);
        *slot = Some(q);
    }
    let br = br.or(star).unwrap_or(0.0);
    let gzip = gzip.or(star).unwrap_or(0.0);
    // Identity is acceptable unless refused, but a client that lists a
    // coding prefers it, so unlisted identity ranks below any listed one.
    let identity = identity.or(star).unwrap_or(f32::MIN_POSITIVE);
    let choices = [
        (Encoding::Brotli, br),
        (Encoding::Gzip, gzip),
        (Encoding::Identity, identity),
    ];
    choices
        .into_iter()
        .filter(|(_, q)| *q > 0.0)
        .fold(None, |best: Option<(Encoding, f32)>, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        })
        .map_or(Encoding::Identity, |(e, _)| e)
}

/// The value of a `q=` parameter; an unreadable one counts as 0 so that a
/// garbled header never selects a coding the client may not support.
fn q_value(param: &str) -> Option<f32> {
    let (name, value) = param.split_once('=')?;
    if !name.trim().eq_ignore_ascii_case("q") {
        return None;
    }
    let q = value.trim().parse::<f32>().unwrap_or(0.0);
    Some(if q.is_finite() {
        q.clamp(0.0, 1.0)
    } else {
        0.0
    })
}

#[cfg(test)]
mod tests {
    use super::{negotiate, Encoding::*};

    #[test]
    fn prefers_brotli_then_gzip() {
        assert_eq!(negotiate(Some("gzip, deflate, br")), Brotli);
        assert_eq!(negotiate(Some("gzip")), Gzip);
        assert_eq!(negotiate(Some("deflate")), Identity);
        assert_eq!(negotiate(None), Identity);
        assert_eq!(negotiate(Some("")), Identity);
    }

    #[test]
    fn respects_q_values() {
        assert_eq!(negotiate(Some("br;q=0.5, gzip;q=0.8")), Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip")), Gzip);
        assert_eq!(negotiate(Some("gzip;q=0, br;q=0")), Identity);
        assert_eq!(negotiate(Some("identity;q=1, gzip;q=0.5")), Identity);
        assert_eq!(negotiate(Some("*;q=0.3")), Brotli);
        assert_eq!(negotiate(Some("*, br;q=0")), Gzip);
        assert_eq!(negotiate(Some("GZIP ; Q=0.9")), Gzip);
    }

    #[test]
    fn garbage_is_harmless() {
        assert_eq!(negotiate(Some("br;q=banana")), Identity);
        assert_eq!(negotiate(Some("br;q=NaN")), Identity);
        assert_eq!(negotiate(Some(";;,,=;q")), Identity);
        assert_eq!(negotiate(Some("gzip;q=7")), Gzip);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = negotiate(Some(&s));
        }
    }
}
