//! Rich text from publishers, cleaned on the way in with ammonia: no scripts or styles, no
//! event-handler attributes, no SVG or MathML, and links and images only to `http`,
//! `https` or `mailto` (so no `javascript:` or `data:` URLs).

use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    b
});

/// The body as it is stored and served.
pub fn clean_html(raw: &str) -> String {
    CLEANER.clean(raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::clean_html;

    #[test]
    fn scripts_handlers_and_dangerous_urls_are_removed_and_text_kept() {
        let cases = [
            (
                "<p>学习<script>alert(1)</script>党章</p>",
                "<p>学习党章</p>",
            ),
            ("<p onclick=\"steal()\">第一课</p>", "<p>第一课</p>"),
            (
                "<a href=\"javascript:alert(1)\">点我</a>",
                "<a rel=\"noopener noreferrer nofollow\">点我</a>",
            ),
            ("<img src=\"data:image/png;base64,AAAA\">", "<img>"),
            (
                "<svg onload=\"alert(1)\"><circle r=\"1\"></circle></svg>文字",
                "文字",
            ),
            ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ];
        for (raw, want) in cases {
            assert_eq!(clean_html(raw), want, "{raw}");
        }
        let kept = "<h2>二、学习内容</h2><p><strong>重点</strong>：<a href=\"https://example.cn/a\">原文</a></p><ul><li>一</li></ul>";
        let cleaned = clean_html(kept);
        assert!(cleaned.contains("<h2>二、学习内容</h2>"), "{cleaned}");
        assert!(
            cleaned.contains("href=\"https://example.cn/a\""),
            "{cleaned}"
        );
        assert!(cleaned.contains("<ul><li>一</li></ul>"), "{cleaned}");
    }
}
