//! A one-page, print-ready setup sheet for one client and language: what a help desk
//! emails or prints for a customer. Built from the same guide model as the text guide.
//!
//! Self-contained: inline CSS (with `@media print`), no script, no external resource
//! (no image, font or style sheet is fetched), every text HTML-escaped.

use crate::model::Lang;
use crate::report::guides::text::{entry, mark, quoted};
use crate::report::guides::{Client, Entry, Guide, Level, Notice, guide};
use crate::report::model::Report;
use crate::report::render::{Render, RenderOptions};

/// The HTML sheet for one client behind the renderer seam.
pub struct HtmlSheet {
    pub client: Client,
}

impl Render<Report> for HtmlSheet {
    fn render(&self, report: &Report, options: &RenderOptions) -> String {
        sheet(&guide(report, self.client, options.lang))
    }
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,\"Segoe UI\",\"Hiragino Sans\",\"Yu Gothic UI\",Meiryo,sans-serif;\
max-width:48rem;margin:1.5rem auto;padding:0 1rem;color:#111;line-height:1.45}\
h1{font-size:1.3rem;margin:0 0 .2rem}\
p.follows{color:#555;font-size:.85rem;margin:0 0 1rem}\
section{border:1px solid #bbb;border-radius:6px;padding:.5rem .8rem;margin:.7rem 0;break-inside:avoid}\
h2{font-size:1.05rem;margin:.2rem 0 .4rem}\
p.open{font-size:.85rem;color:#333;margin:.1rem 0 .4rem}\
table{border-collapse:collapse;width:100%}\
th,td{text-align:left;vertical-align:top;padding:.25rem .4rem;border-top:1px solid #ddd}\
th{font-weight:normal;width:45%}\
td.type{font-family:ui-monospace,Consolas,monospace;font-weight:bold}\
td.own{font-style:italic}\
ul.notes{margin:.2rem 0 .2rem 1rem;padding:0;font-size:.85rem}\
li.warning{color:#8a4b00}li.cannot{color:#a00000;font-weight:bold}\
p.then{margin:.4rem 0 0;font-weight:bold}\
@media print{body{margin:0;max-width:none;font-size:10.5pt}section{border-color:#888}\
li.warning,li.cannot{color:#000}}";

/// The sheet as one HTML document.
pub fn sheet(g: &Guide) -> String {
    let lang = g.lang;
    let (code, step, before, follows) = match lang {
        Lang::En => ("en", "Step", "Before you start", "Labels follow"),
        Lang::Ja => ("ja", "手順", "始める前に", "画面の表記"),
    };
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&g.heading)
    ));
    out.push_str(&format!("<h1>{}</h1>\n", escape(&g.heading)));
    out.push_str(&format!(
        "<p class=\"follows\">{}: {}</p>\n",
        escape(follows),
        escape(&g.follows)
    ));
    if !g.before.is_empty() {
        out.push_str(&format!("<section>\n<h2>{}</h2>\n", escape(before)));
        notices(&mut out, &g.before);
        out.push_str("</section>\n");
    }
    for (i, s) in g.screens.iter().enumerate() {
        out.push_str(&format!(
            "<section>\n<h2>{step} {}. {}</h2>\n",
            i + 1,
            escape(&s.title)
        ));
        if let Some(open) = &s.open {
            out.push_str(&format!("<p class=\"open\">{}</p>\n", escape(open)));
        }
        notices(&mut out, &s.notes);
        if !s.fields.is_empty() {
            out.push_str("<table>\n");
            for f in &s.fields {
                let class = match f.entry {
                    Entry::Type(_) => "type",
                    Entry::Own(_) => "own",
                    Entry::Choose(_) | Entry::Check(_) => "choice",
                };
                out.push_str(&format!(
                    "<tr><th>{}</th><td class=\"{class}\">{}",
                    escape(&f.label),
                    escape(&entry(&f.entry, lang))
                ));
                notices(&mut out, &f.notes);
                out.push_str("</td></tr>\n");
            }
            out.push_str("</table>\n");
        }
        if let Some(button) = &s.then {
            out.push_str(&format!(
                "<p class=\"then\">→ {}</p>\n",
                escape(&quoted(button, lang))
            ));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn notices(out: &mut String, list: &[Notice]) {
    if list.is_empty() {
        return;
    }
    out.push_str("<ul class=\"notes\">");
    for n in list {
        let class = match n.level {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Cannot => "cannot",
        };
        out.push_str(&format!(
            "<li class=\"{class}\">{} {}</li>",
            mark(n.level),
            escape(&n.text)
        ));
    }
    out.push_str("</ul>");
}

/// Text safe inside HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_reports;

    fn sample(name: &str) -> Report {
        sample_reports()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r)
            .expect("a sample of that name")
    }

    #[test]
    fn html_sheets() {
        for (name, client, lang) in [
            ("isp", Client::Outlook, Lang::Ja),
            ("gmail", Client::Thunderbird, Lang::En),
            ("au-one-net", Client::Ios, Lang::Ja),
        ] {
            let html = HtmlSheet { client }.render(&sample(name), &RenderOptions::plain(lang));
            insta::assert_snapshot!(format!("html_{}_{name}", client.name()), html);
        }
    }

    #[test]
    fn self_contained_without_script() {
        for (_, report) in sample_reports() {
            for client in Client::ALL {
                for lang in [Lang::En, Lang::Ja] {
                    let html = HtmlSheet { client }.render(&report, &RenderOptions::plain(lang));
                    let lower = html.to_ascii_lowercase();
                    assert!(!lower.contains("<script"), "{html}");
                    for attr in ["src=", "href=", "url(", "@import"] {
                        assert!(!lower.contains(attr), "{attr} in {html}");
                    }
                    assert!(html.starts_with("<!DOCTYPE html>"));
                    let tag = match lang {
                        Lang::En => "<html lang=\"en\">",
                        Lang::Ja => "<html lang=\"ja\">",
                    };
                    assert!(html.contains(tag));
                }
            }
        }
    }

    #[test]
    fn hostile_text_is_escaped() {
        let mut report = sample("isp");
        report.email = "<script>alert(1)</script>@example.ne.jp".to_string();
        report.notes.push(crate::model::Note::new(
            "<img src=http://evil.example/x.png onerror=alert(1)> & \"quoted\"",
            "<a href=\"http://evil.example/\">ここ</a>",
        ));
        if let Some(s) = report.incoming.first_mut() {
            s.endpoint.host = "imap.example.ne.jp\"><b>".to_string();
        }
        for lang in [Lang::En, Lang::Ja] {
            let html = HtmlSheet {
                client: Client::Thunderbird,
            }
            .render(&report, &RenderOptions::plain(lang));
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<a "), "{html}");
            assert!(!html.contains("\"><b>"), "{html}");
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;@example.ne.jp"));
        }
        assert!(
            HtmlSheet {
                client: Client::Thunderbird
            }
            .render(&report, &RenderOptions::plain(Lang::En))
            .contains("&lt;img src=http://evil.example/x.png onerror=alert(1)&gt; &amp; &quot;quoted&quot;")
        );
    }

    #[test]
    fn escape_covers_the_five() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
