//! The words of page furniture: what a select-all copy of a news page
//! carries besides its stories. Navigation, share and action lines,
//! advertising markers, "read more" teasers, newsletter sign-ups and
//! footers are not stories; section labels (`Latest news`) head a list of
//! stories without being one; "related" labels (`Related:`, `Mehr zum
//! Thema`) head a list of links that belong to another page.
//!
//! The lexicon is small and multilingual (English, German, French,
//! Spanish, Italian, Portuguese, Russian, Chinese, Japanese) and matches
//! whole lines, case and trailing punctuation aside, or the start of a
//! line for the few phrases that go on with a title (`Read more: …`).
//! Structure does the rest: see [`is_nav_run`].

/// What a line of furniture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Furniture {
    /// Not part of any story: dropped.
    Chrome,
    /// Heads a list of stories: dropped, and the lines after it are
    /// headlines.
    SectionLabel,
    /// Heads links to other pages: dropped with the list after it when it
    /// follows an article.
    RelatedLabel,
}

/// Whole lines of navigation, sharing, advertising and footers.
const CHROME: &[&str] = &[
    // English
    "skip to main content",
    "skip to content",
    "skip to navigation",
    "menu",
    "main menu",
    "search",
    "sign in",
    "log in",
    "login",
    "sign up",
    "register",
    "subscribe",
    "subscribe now",
    "share",
    "share this",
    "share this article",
    "share this story",
    "copy link",
    "link copied",
    "email",
    "print",
    "comments",
    "comment",
    "advertisement",
    "advertising",
    "sponsored",
    "scroll to continue",
    "scroll to continue with content",
    "continue reading",
    "show more",
    "load more",
    "back to top",
    "home",
    "facebook",
    "twitter",
    "linkedin",
    "whatsapp",
    "reddit",
    "privacy policy",
    "privacy",
    "terms of use",
    "terms of service",
    "terms and conditions",
    "cookie settings",
    "cookie policy",
    "cookies",
    "contact us",
    "about us",
    "accessibility",
    "all rights reserved",
    "listen to this article",
    "save",
    "follow",
    "close",
    // German
    "zum inhalt springen",
    "zum hauptinhalt springen",
    "menü",
    "suche",
    "anmelden",
    "abmelden",
    "registrieren",
    "abonnieren",
    "teilen",
    "artikel teilen",
    "link kopieren",
    "drucken",
    "kommentare",
    "anzeige",
    "werbung",
    "weiterlesen",
    "mehr anzeigen",
    "impressum",
    "datenschutz",
    "datenschutzerklärung",
    "nutzungsbedingungen",
    "cookie-einstellungen",
    "kontakt",
    "startseite",
    // French
    "aller au contenu",
    "aller au contenu principal",
    "se connecter",
    "connexion",
    "s'abonner",
    "s’abonner",
    "rechercher",
    "recherche",
    "partager",
    "copier le lien",
    "imprimer",
    "commentaires",
    "publicité",
    "lire la suite",
    "mentions légales",
    "politique de confidentialité",
    "accueil",
    "gérer les cookies",
    // Spanish, Italian, Portuguese
    "ir al contenido",
    "iniciar sesión",
    "suscríbete",
    "buscar",
    "compartir",
    "copiar enlace",
    "publicidad",
    "comentarios",
    "aviso legal",
    "política de privacidad",
    "política de cookies",
    "portada",
    "vai al contenuto",
    "accedi",
    "condividi",
    "pubblicità",
    "ir para o conteúdo",
    "entrar",
    "compartilhar",
    "publicidade",
    // Russian
    "перейти к содержанию",
    "меню",
    "поиск",
    "войти",
    "регистрация",
    "подписаться",
    "поделиться",
    "скопировать ссылку",
    "комментарии",
    "реклама",
    "читать далее",
    "главная",
    "все права защищены",
    "политика конфиденциальности",
    // Chinese, Japanese
    "首页",
    "登录",
    "注册",
    "搜索",
    "分享",
    "广告",
    "评论",
    "返回顶部",
    "ホーム",
    "ログイン",
    "検索",
    "シェア",
    "広告",
    "コメント",
    "トップへ戻る",
];

/// Line openings that make the whole line furniture, whatever follows.
const CHROME_PREFIXES: &[&str] = &[
    "read more:",
    "read more ",
    "related:",
    "see also:",
    "more on this",
    "sign up for",
    "subscribe to",
    "follow us",
    "©",
    "(c) ",
    "copyright ",
    "photo:",
    "image:",
    "picture:",
    "credit:",
    "video:",
    "watch:",
    "listen:",
    "mehr zum thema:",
    "lesen sie auch",
    "foto:",
    "bild:",
    "lire aussi",
    "à lire aussi :",
    "voir aussi",
    "inscrivez-vous",
    "lee también",
    "leer más",
    "suscríbete a",
    "leggi anche",
    "читайте также",
    "фото:",
    "подпишитесь",
    "图片：",
    "图片:",
    "写真：",
    "写真:",
    "相关阅读：",
    "関連記事：",
];

/// Whole lines that head a list of stories.
const SECTION_LABELS: &[&str] = &[
    "latest",
    "latest news",
    "latest stories",
    "top stories",
    "top news",
    "headlines",
    "in brief",
    "news in brief",
    "most read",
    "most popular",
    "most viewed",
    "trending",
    "breaking news",
    "more news",
    "more stories",
    "today's links",
    "what else is happening",
    "nachrichten",
    "weitere meldungen",
    "meldungen",
    "neueste meldungen",
    "top-themen",
    "meistgelesen",
    "kurz gemeldet",
    "en bref",
    "à la une",
    "les plus lus",
    "dernières infos",
    "dernières nouvelles",
    "actualités",
    "últimas noticias",
    "lo más leído",
    "noticias",
    "ultime notizie",
    "últimas notícias",
    "главное",
    "главное за день",
    "последние новости",
    "новости",
    "最新消息",
    "最新新闻",
    "要闻",
    "主なニュース",
    "最新ニュース",
    "ニュース",
];

/// Whole lines that head links to other pages.
const RELATED_LABELS: &[&str] = &[
    "related",
    "related stories",
    "related articles",
    "read more",
    "more on this story",
    "see also",
    "you may also like",
    "recommended",
    "mehr zum thema",
    "das könnte sie auch interessieren",
    "lesen sie auch",
    "à lire aussi",
    "lire aussi",
    "sur le même sujet",
    "voir aussi",
    "lee también",
    "te puede interesar",
    "noticias relacionadas",
    "leggi anche",
    "читайте также",
    "по теме",
    "相关阅读",
    "相关新闻",
    "関連記事",
    "関連ニュース",
];

/// Lines longer than this are never a label or a button; only a credit
/// or a line opening with a furniture phrase can be furniture then.
const LONGEST_LABEL: usize = 48;

/// What `line` is, if it is furniture by its words alone.
pub(super) fn furniture(line: &str) -> Option<Furniture> {
    if line.len() > LONGEST_LABEL * 4 || line.chars().count() > LONGEST_LABEL {
        let opening: String = line.chars().take(LONGEST_LABEL).collect();
        let chrome = has_chrome_prefix(&opening) || line.contains('©') || is_credit(line);
        return chrome.then_some(Furniture::Chrome);
    }
    let key = key(line);
    if SECTION_LABELS.contains(&key.as_str()) {
        return Some(Furniture::SectionLabel);
    }
    if RELATED_LABELS.contains(&key.as_str()) {
        return Some(Furniture::RelatedLabel);
    }
    let chrome = CHROME.contains(&key.as_str())
        || has_chrome_prefix(line)
        || line.contains('©')
        || is_counter(&key)
        || is_credit(line)
        || is_all_caps_label(line);
    chrome.then_some(Furniture::Chrome)
}

fn has_chrome_prefix(line: &str) -> bool {
    let lower = line.to_lowercase();
    CHROME_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// A run of this many lines or more, each a word or two, is a menu or a
/// row of buttons: headlines are longer than that …
pub(super) const NAV_RUN: usize = 3;
/// … but a page of thousands of one-word lines is a list, not a menu.
pub(super) const NAV_RUN_MAX: usize = 40;

/// Whether a line can be one entry of a menu: a word or two, starting
/// with a capital (or in CJK, a few characters), not a sentence.
pub(super) fn is_nav_entry(line: &str) -> bool {
    let chars = line.chars().count();
    if line.chars().any(super::cjk::is_cjk) {
        return chars <= 4;
    }
    (2..=16).contains(&chars)
        && line.split(' ').count() <= 2
        && line.starts_with(char::is_uppercase)
        && !line.ends_with(['.', '?', '!', ','])
}

/// Lower case without the punctuation people put around labels.
fn key(line: &str) -> String {
    line.trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
        .replace('\u{2019}', "'")
}

/// `234 comments`, `12 Kommentare`, `1.2K shares`: counters of reactions.
fn is_counter(key: &str) -> bool {
    let Some((number, word)) = key.split_once(' ') else {
        return false;
    };
    const COUNTED: &[&str] = &[
        "comments",
        "comment",
        "shares",
        "kommentare",
        "commentaires",
        "comentarios",
        "комментариев",
        "комментария",
        "комментарий",
        "likes",
        "reactions",
        "min read",
        "minutes read",
        "minute read",
        "min lesezeit",
        "min de lecture",
    ];
    number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'k'))
        && COUNTED.contains(&word)
}

/// A photo credit: names an agency's photographer (`REUTERS/Jane Doe`,
/// `AP Photo/…`) or is a bare `Getty Images`.
fn is_credit(line: &str) -> bool {
    const MARKS: &[&str] = &[
        "REUTERS/",
        "AP Photo/",
        "AFP/",
        "Getty Images",
        "dpa/",
        "EPA/",
    ];
    MARKS.iter().any(|m| line.contains(m))
}

/// A masthead or banner in capitals (`THE MORNING BRIEFING`): two to five
/// words of capital letters only.
fn is_all_caps_label(line: &str) -> bool {
    let words: Vec<&str> = line.split(' ').collect();
    (2..=5).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().count() >= 2 && w.chars().all(char::is_uppercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_in_several_languages() {
        for line in [
            "Skip to main content",
            "Share",
            "234 comments",
            "Advertisement",
            "Read more: Offshore wind auctions draw record bids",
            "© 2026 Example News Ltd. All rights reserved.",
            "Zum Inhalt springen",
            "Anzeige",
            "Publicité",
            "Lire aussi : La sécheresse menace les vignobles",
            "Поделиться",
            "Реклама",
            "分享",
            "Firefighters at the scene. REUTERS/Anna Kowalska",
            "THE MORNING BRIEFING",
        ] {
            assert_eq!(furniture(line), Some(Furniture::Chrome), "{line}");
        }
    }

    #[test]
    fn labels_and_stories_are_told_apart() {
        assert_eq!(furniture("Latest news"), Some(Furniture::SectionLabel));
        assert_eq!(furniture("Главное за день"), Some(Furniture::SectionLabel));
        assert_eq!(furniture("À lire aussi"), Some(Furniture::RelatedLabel));
        assert_eq!(furniture("Related:"), Some(Furniture::RelatedLabel));
        for story in [
            "Share prices fall as banks report losses",
            "Search for missing climbers resumes",
            "Menu prices rise at school canteens",
            "NATO to Discuss Strengthening Greenland Security",
            "UK",
        ] {
            assert_eq!(furniture(story), None, "{story}");
        }
    }

    #[test]
    fn menu_entries_are_a_word_or_two() {
        assert!(is_nav_entry("World"));
        assert!(is_nav_entry("Sign in"));
        assert!(is_nav_entry("首页"));
        assert!(!is_nav_entry("Storm hits the coast"));
        assert!(!is_nav_entry("全国铁路客运量创同期新高"));
    }
}
