//! Text from outside (config.json names, link values, GPU names) made inert before it is
//! written anywhere that interprets characters: a shell comment, a terminal, a notice.
//!
//! A newline or carriage return inside a `# …` comment ends the comment, and what follows runs
//! as a command when the text is pasted into a shell; ESC and OSC sequences retitle or recolour
//! a terminal; bidi overrides make a line read differently from what runs. One function,
//! [`escape`], writes every such character as a visible escape (`\n`, `\r`, `\t`, `\\`,
//! `\u{1b}`), so the text stays readable and one line. [`clean_name`] removes them from names
//! at the point they enter the planner.

/// Characters that change how the surrounding text is read rather than standing for
/// themselves: C0 and C1 controls and DEL (`char::is_control`), the Unicode line and paragraph
/// separators (U+2028/U+2029, line breaks for many renderers) and the bidirectional
/// formatting characters (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069; "Trojan Source",
/// CVE-2021-42574).
pub fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` as XML/HTML text, also safe inside a double-quoted attribute: `&`, `<`, `>` and `"` as
/// entities, hazards as spaces (the SVG export, the embed code).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if is_hazard(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The text on one line with every hazard written as a visible escape and every backslash
/// doubled, so a trailing backslash can never continue a line and the escapes are unambiguous.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hazard(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, with `…` and the full length when cut.
pub fn clip(text: &str, max: usize) -> String {
    let mut chars = text.char_indices();
    match chars.nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… ({} characters)", &text[..at], text.chars().count()),
    }
}

/// [`escape`] after [`clip`]: how an outside value is echoed in a message or a terminal.
pub fn echo(text: &str, max: usize) -> String {
    escape(&clip(text, max))
}

/// A display name: hazards replaced by spaces, runs of whitespace collapsed, trimmed, and at
/// most `max` characters. Names are shown as text everywhere; this keeps them one line too.
pub fn clean_name(name: &str, max: usize) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if is_hazard(c) { ' ' } else { c })
        .collect();
    spaced
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_escapes_become_visible_text() {
        assert_eq!(escape("x\ntouch /tmp/PWNED\n#"), r"x\ntouch /tmp/PWNED\n#");
        assert_eq!(escape("a\rb\tc"), r"a\rb\tc");
        assert_eq!(escape("ends with \\"), r"ends with \\");
        assert_eq!(escape("\u{1b}]0;title\u{7}"), r"\u{1b}]0;title\u{7}");
        assert_eq!(escape("\u{202e}abc\u{2028}"), r"\u{202e}abc\u{2028}");
        assert_eq!(escape("Qwen/Qwen2.5-0.5B é 漢"), "Qwen/Qwen2.5-0.5B é 漢");
        assert!(!escape("\u{85}\u{9b}\u{7f}").chars().any(is_hazard));
    }

    #[test]
    fn long_values_are_clipped_with_their_length() {
        assert_eq!(clip("abcdef", 3), "abc… (6 characters)");
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("ééé", 2), "éé… (3 characters)");
        assert_eq!(echo(&"x\n".repeat(100), 4), r"x\nx\n… (200 characters)");
    }

    #[test]
    fn names_lose_hazards_and_stay_one_line() {
        assert_eq!(
            clean_name("  Lab\ncard\u{1b}[31m  x ", 60),
            "Lab card [31m x"
        );
        assert_eq!(clean_name("\u{202e}evil", 60), "evil");
        assert_eq!(clean_name("abcdef", 3), "abc");
    }
}
