//! Feed items the size real news feeds carry: a headline of about 70
//! characters, a dated article link, a tag URI for its id, an author, a
//! few categories and about 1.35 KB of HTML (paragraphs, a link, some
//! emphasis). Words are picked by a cheap deterministic mix of the feed
//! and item numbers, so every item differs as real ones do (which matters
//! to anything that compresses or deduplicates) and reruns are identical.

const WORDS: &[&str] = &[
    "council",
    "harbour",
    "approves",
    "plan",
    "minister",
    "budget",
    "election",
    "winter",
    "storm",
    "railway",
    "hospital",
    "teachers",
    "strike",
    "market",
    "prices",
    "energy",
    "river",
    "bridge",
    "court",
    "ruling",
    "mayor",
    "police",
    "inquiry",
    "report",
    "school",
    "farmers",
    "drought",
    "festival",
    "museum",
    "airport",
    "expansion",
    "housing",
    "rents",
    "workers",
    "union",
    "talks",
    "agreement",
    "climate",
    "summit",
    "league",
    "final",
    "season",
    "record",
    "science",
    "study",
    "finds",
    "vaccine",
    "trial",
    "launch",
    "satellite",
];
const AUTHORS: &[&str] = &[
    "Maria Lindqvist",
    "John Okafor",
    "Aiko Tanaka",
    "Pedro Alvarez",
    "Sarah O'Neill",
    "Dmitri Volkov",
    "Fatima Haddad",
    "Liam Murphy",
];
const SECTIONS: &[&str] = &[
    "world", "politics", "business", "science", "sport", "culture",
];

/// Bytes of HTML in one item's description, before escaping into XML.
pub const HTML_BYTES: usize = 1_350;

/// A deterministic stream of word picks for item `i` of feed `n`.
struct Mix(u64);

impl Mix {
    fn new(n: usize, i: usize) -> Mix {
        Mix((n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (i as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
            | 1)
    }

    fn next(&mut self) -> usize {
        // xorshift64: fast, and good enough to vary prose.
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.next() % list.len()]
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut s = String::new();
        for k in 0..words {
            if k > 0 {
                s.push(' ');
            }
            s.push_str(self.pick(WORDS));
        }
        s
    }
}

/// One RSS `<item>`, its HTML escaped as feeds carry it.
pub fn rss_item(n: usize, i: usize) -> String {
    let mut mix = Mix::new(n, i);
    let section = mix.pick(SECTIONS);
    let title = capitalized(&mix.sentence(9));
    let slug = title.to_lowercase().replace(' ', "-");
    let day = 1 + i % 28;
    let link = format!("https://news{n}.example.com/2026/11/{day:02}/{section}/{slug}-{i}");
    let html = html_body(&mut mix, &link);
    format!(
        "<item><title>{title}</title><link>{link}</link>\
         <guid isPermaLink=\"false\">tag:news{n}.example.com,2026:article-{n}-{i}</guid>\
         <dc:creator>{author}</dc:creator>\
         <category>{section}</category><category>{c1}</category><category>{c2}</category>\
         <pubDate>Mon, {day:02} Nov 2026 {:02}:{:02}:00 GMT</pubDate>\
         <description>{}</description></item>\n",
        i % 24,
        (n + i) % 60,
        html_escape::encode_text(&html),
        author = mix.pick(AUTHORS),
        c1 = mix.pick(WORDS),
        c2 = mix.pick(WORDS),
    )
}

/// The opening of an RSS 2.0 document with the namespaces items use.
pub fn rss_head(n: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>\
         <title>News {n}</title><link>https://news{n}.example.com/</link>\
         <description>Generated feed number {n}</description>\n"
    )
}

/// Paragraphs of prose with a link and some emphasis, cut near `HTML_BYTES`.
fn html_body(mix: &mut Mix, link: &str) -> String {
    let mut html = format!(
        "<p>{} <a href=\"{link}#more\">{}</a> {}.</p>",
        capitalized(&mix.sentence(12)),
        mix.sentence(3),
        mix.sentence(10)
    );
    while html.len() < HTML_BYTES - 120 {
        html.push_str(&format!(
            "<p>{} <em>{}</em> {}.</p>",
            capitalized(&mix.sentence(14)),
            mix.sentence(2),
            mix.sentence(12)
        ));
    }
    html
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
