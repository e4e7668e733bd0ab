//! `mailcfg detect EMAIL --client NAME`: the guide as text, screen by screen.

use super::words::{self, W};
use super::{Client, Entry, Guide, Level, Notice, guide};
use crate::model::Lang;
use crate::report::model::Report;
use crate::report::render::{Render, RenderOptions};

/// The text guide for one client behind the renderer seam.
pub struct ClientGuide {
    pub client: Client,
}

impl Render<Report> for ClientGuide {
    fn render(&self, report: &Report, options: &RenderOptions) -> String {
        render_wrapped(&guide(report, self.client, options.lang), options.width)
    }
}

/// The guide as lines of text, unwrapped.
pub fn render_guide(g: &Guide) -> String {
    render_wrapped(g, None)
}

/// The guide as lines of text; notes wrap between words at `width` columns.
pub fn render_wrapped(g: &Guide, width: Option<u16>) -> String {
    let lang = g.lang;
    let w = |k| words::text(k, lang);
    let mut out = String::new();
    out.push_str(&g.heading);
    out.push('\n');
    out.push_str(&format!("{}: {}\n", w(W::Follows), g.follows));
    if !g.before.is_empty() {
        out.push_str(&format!("\n{}\n", w(W::Before)));
        for n in &g.before {
            notice(&mut out, n, "  ", width);
        }
    }
    for (i, s) in g.screens.iter().enumerate() {
        out.push_str(&format!("\n{} {}. {}\n", w(W::Step), i + 1, s.title));
        if let Some(open) = &s.open {
            out.push_str(&format!("  {}: {open}\n", w(W::Open)));
        }
        for n in &s.notes {
            notice(&mut out, n, "  ", width);
        }
        for f in &s.fields {
            out.push_str(&format!("  {}: {}\n", f.label, entry(&f.entry, lang)));
            for n in &f.notes {
                notice(&mut out, n, "      ", width);
            }
        }
        if let Some(button) = &s.then {
            out.push_str(&format!("  → {}\n", quoted(button, lang)));
        }
    }
    out
}

/// What to do with a field, in words.
pub(crate) fn entry(e: &Entry, lang: Lang) -> String {
    match (e, lang) {
        (Entry::Type(v), _) => v.clone(),
        (Entry::Own(what), _) => format!("‹{what}›"),
        (Entry::Choose(v), Lang::En) => format!("choose {}", quoted(v, lang)),
        (Entry::Choose(v), Lang::Ja) => format!("{}を選択", quoted(v, lang)),
        (Entry::Check(on), _) => {
            let (mark, word) = if *on { ("☑", W::On) } else { ("☐", W::Off) };
            format!("{mark} {}", words::text(word, lang))
        }
    }
}

/// “text” or 「text」.
pub(crate) fn quoted(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("“{text}”"),
        Lang::Ja => format!("「{text}」"),
    }
}

/// The mark before a notice.
pub(crate) fn mark(level: Level) -> &'static str {
    match level {
        Level::Info => "•",
        Level::Warning => "⚠",
        Level::Cannot => "✗",
    }
}

fn notice(out: &mut String, n: &Notice, indent: &str, width: Option<u16>) {
    let first = format!("{indent}{} ", mark(n.level));
    out.push_str(&crate::report::text::wrap(&first, &n.text, width));
}
