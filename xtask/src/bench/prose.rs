//! Page bodies that read like an agency's pages: paragraphs of
//! public-service vocabulary, headings, lists, tables, images, raw HTML and
//! internal links in Markdown, and the HTML that Isomer's rich-text (tiptap)
//! editor writes, with card grids and accordions.

use super::rng::Rng;

const WORDS: &[&str] = &[
    "residents",
    "agency",
    "application",
    "scheme",
    "eligible",
    "household",
    "support",
    "digital",
    "service",
    "payment",
    "renewal",
    "licence",
    "permit",
    "officer",
    "counter",
    "appointment",
    "online",
    "form",
    "documents",
    "records",
    "review",
    "decision",
    "appeal",
    "notice",
    "timeline",
    "working",
    "days",
    "assistance",
    "community",
    "programme",
    "grant",
    "funding",
    "business",
    "employer",
    "employee",
    "training",
    "course",
    "certificate",
    "inspection",
    "safety",
    "standard",
    "guideline",
    "framework",
    "policy",
    "consultation",
    "feedback",
    "survey",
    "report",
    "annual",
    "quarterly",
    "update",
    "announcement",
    "minister",
    "statement",
    "parliament",
    "budget",
    "allocation",
    "district",
    "estate",
    "town",
    "council",
    "transport",
    "housing",
    "health",
    "clinic",
    "school",
    "library",
    "park",
    "water",
    "energy",
    "climate",
    "resilience",
    "research",
    "innovation",
    "data",
    "privacy",
    "security",
    "access",
    "accessibility",
    "seniors",
    "families",
    "youth",
    "volunteers",
    "partners",
    "stakeholders",
    "industry",
    "sector",
    "workforce",
    "skills",
    "career",
    "hiring",
    "contract",
    "tender",
    "procurement",
    "vendor",
    "audit",
    "governance",
    "compliance",
    "requirement",
    "exemption",
    "waiver",
    "fee",
    "rebate",
    "subsidy",
    "voucher",
    "claim",
    "refund",
    "account",
    "portal",
    "login",
    "identity",
    "verification",
    "submission",
    "approval",
    "outcome",
    "milestone",
    "pilot",
    "rollout",
    "phase",
    "region",
    "island-wide",
    "nationwide",
    "helpline",
    "enquiry",
];

const VERBS: &[&str] = &[
    "apply", "submit", "check", "renew", "update", "review", "receive", "contact", "visit",
    "register", "verify", "book", "cancel", "appeal", "track", "download",
];

const STATUSES: &[&str] = &["Open", "Closed", "Pending", "Approved", "Under review"];

fn word(rng: &mut Rng) -> &'static str {
    WORDS[rng.range(0, WORDS.len() - 1)]
}

/// Capitalised words for a heading or a title.
pub fn title(rng: &mut Rng, low: usize, high: usize) -> String {
    let count = rng.range(low, high);
    (0..count)
        .map(|_| capitalise(word(rng)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One sentence of `low..=high` words.
pub fn sentence(rng: &mut Rng, low: usize, high: usize) -> String {
    let count = rng.range(low, high);
    let mut words: Vec<String> = Vec::with_capacity(count + 1);
    words.push(capitalise(VERBS[rng.range(0, VERBS.len() - 1)]));
    for _ in 1..count {
        words.push(word(rng).to_owned());
    }
    format!("{}.", words.join(" "))
}

/// Sentences adding up to at least `words` words.
fn paragraph(rng: &mut Rng, words: usize) -> String {
    let mut sentences = Vec::new();
    let mut written = 0;
    while written < words {
        let sentence = sentence(rng, 8, 18);
        written += sentence.split(' ').count();
        sentences.push(sentence);
    }
    sentences.join(" ")
}

/// A paragraph with a Markdown link to `target` over a few of its words.
fn linked_paragraph(rng: &mut Rng, words: usize, target: &str) -> String {
    let text = paragraph(rng, words);
    let mut parts: Vec<&str> = text.split(' ').collect();
    let at = rng.range(1, parts.len().saturating_sub(4).max(1));
    let end = (at + 3).min(parts.len());
    let anchor = parts[at..end].join(" ").trim_end_matches('.').to_owned();
    let link = format!("[{anchor}]({target})");
    parts.splice(at..end, [link.as_str()]);
    parts.join(" ")
}

/// What a page body may point at: existing permalinks and image files.
pub struct Targets<'a> {
    /// Permalinks of pages that exist in the site.
    pub links: &'a [String],
    /// Paths of images under `/images/`.
    pub images: &'a [String],
}

impl Targets<'_> {
    fn link(&self, rng: &mut Rng) -> String {
        rng.pick(self.links).clone()
    }

    fn image(&self, rng: &mut Rng) -> String {
        rng.pick(self.images).clone()
    }

    /// The image `index` places after some start, wrapping around: images
    /// shown one after another never repeat the one before.
    fn image_at(&self, index: usize) -> &str {
        &self.images[index % self.images.len()]
    }
}

/// A Markdown page of about 600 words: headings, a list, a table, an image,
/// three internal links, sometimes raw HTML and Liquid.
pub fn markdown_page(rng: &mut Rng, targets: &Targets<'_>, liquid: bool) -> String {
    let mut out = Vec::new();
    out.push(paragraph(rng, 70));
    out.push(format!("## {}", title(rng, 2, 4)));
    out.push({
        let target = targets.link(rng);
        linked_paragraph(rng, 110, &target)
    });
    let items: Vec<String> = (0..rng.range(3, 6))
        .map(|_| format!("- {}", sentence(rng, 5, 10)))
        .collect();
    out.push(items.join("\n"));
    out.push({
        let target = targets.link(rng);
        linked_paragraph(rng, 90, &target)
    });
    out.push(table(rng));
    out.push(format!("### {}", title(rng, 2, 4)));
    let steps: Vec<String> = (1..=rng.range(3, 5))
        .map(|step| format!("{step}. {}", sentence(rng, 6, 12)))
        .collect();
    out.push(steps.join("\n"));
    out.push(format!(
        "![{}]({})",
        title(rng, 2, 3),
        targets.image(rng).replace(' ', "%20")
    ));
    out.push({
        let target = targets.link(rng);
        linked_paragraph(rng, 110, &target)
    });
    if rng.chance(25) {
        out.push(raw_callout(rng, targets));
    }
    if liquid {
        out.push(
            "For help, email [{{ site.contact_email }}](mailto:{{ site.contact_email }}) \
             or call {{ site.hotline }}."
                .to_owned(),
        );
    }
    out.push(paragraph(rng, 90));
    let mut body = out.join("\n\n");
    body.push('\n');
    body
}

/// A shorter Markdown body for a resource room post.
pub fn post_body(rng: &mut Rng, targets: &Targets<'_>) -> String {
    let mut out = vec![paragraph(rng, 60), {
        let target = targets.link(rng);
        linked_paragraph(rng, 90, &target)
    }];
    if rng.chance(50) {
        out.push(table(rng));
    } else {
        out.push(format!(
            "![{}]({})",
            title(rng, 2, 3),
            targets.image(rng).replace(' ', "%20")
        ));
    }
    out.push(paragraph(rng, 80));
    let mut body = out.join("\n\n");
    body.push('\n');
    body
}

fn table(rng: &mut Rng) -> String {
    let mut rows = vec![
        "| Item | What it covers | Status |".to_owned(),
        "| --- | --- | --- |".to_owned(),
    ];
    for _ in 0..rng.range(3, 6) {
        rows.push(format!(
            "| {} | {} | {} |",
            title(rng, 1, 3),
            sentence(rng, 4, 8),
            rng.pick(STATUSES)
        ));
    }
    rows.join("\n")
}

/// Raw HTML that editors paste into Markdown: a highlighted box with a link.
fn raw_callout(rng: &mut Rng, targets: &Targets<'_>) -> String {
    format!(
        "<div class=\"bp-notification\">\n<p><strong>{}</strong> {} \
         <a href=\"{}\">Find out more</a>.</p>\n</div>",
        title(rng, 1, 2),
        sentence(rng, 8, 14),
        targets.link(rng)
    )
}

/// The HTML that Isomer's rich-text editor saves: paragraphs, headings, a
/// tight list, an image, a card grid, an accordion and a table.
pub fn tiptap_page(rng: &mut Rng, targets: &Targets<'_>) -> String {
    let first_image = rng.range(0, targets.images.len() - 1);
    let mut out = Vec::new();
    out.push(format!("<p>{}</p>", paragraph(rng, 60)));
    out.push(format!("<h2>{}</h2>", title(rng, 2, 4)));
    out.push(format!(
        "<p>{} <a href=\"{}\">{}</a>.</p>",
        paragraph(rng, 60),
        targets.link(rng),
        title(rng, 2, 3)
    ));
    let items: String = (0..rng.range(3, 5))
        .map(|_| format!("<li><p>{}</p></li>", sentence(rng, 5, 10)))
        .collect();
    out.push(format!(
        "<ul data-tight=\"true\" class=\"tight\">{items}</ul>"
    ));
    out.push(format!(
        "<div class=\"isomer-image-wrapper\"><img style=\"width: 100%\" height=\"auto\" \
         width=\"100%\" alt=\"{}\" src=\"{}\"></div>",
        title(rng, 2, 3),
        targets.image_at(first_image)
    ));
    out.push(card_grid(rng, targets, first_image + 1));
    out.push(format!("<h2>{}</h2>", title(rng, 2, 4)));
    out.push(accordion(rng));
    out.push(tiptap_table(rng));
    out.push(format!("<p>{}</p>", paragraph(rng, 70)));
    let mut body = out.join("\n<p></p>\n");
    body.push('\n');
    body
}

fn card_grid(rng: &mut Rng, targets: &Targets<'_>, first_image: usize) -> String {
    let cards: String = (0..rng.range(2, 4))
        .map(|card| {
            format!(
                "<a rel=\"noopener noreferrer nofollow\" href=\"{}\" class=\"isomer-card\">\
                 <div class=\"isomer-card-image\"><div class=\"isomer-image-wrapper\">\
                 <img style=\"width: 100%\" height=\"auto\" width=\"100%\" alt=\"{}\" src=\"{}\">\
                 </div></div><div class=\"isomer-card-body\">\
                 <div class=\"isomer-card-title\">{}</div>\
                 <div class=\"isomer-card-description\">{}</div>\
                 <div class=\"isomer-card-link\">Learn more</div></div></a>\n",
                targets.link(rng),
                title(rng, 2, 3),
                targets.image_at(first_image + card),
                title(rng, 2, 3),
                sentence(rng, 6, 12)
            )
        })
        .collect();
    format!("<div class=\"isomer-card-grid\">{cards}</div>")
}

fn accordion(rng: &mut Rng) -> String {
    let details: String = (0..rng.range(2, 4))
        .map(|_| {
            format!(
                "<details class=\"isomer-details\">\n<summary>{}?</summary>\n\
                 <div data-type=\"detailsContent\" class=\"isomer-details-content\">\n\
                 <p>{}</p>\n</div>\n</details>\n",
                sentence(rng, 5, 9).trim_end_matches('.'),
                paragraph(rng, 35)
            )
        })
        .collect();
    format!(
        "<div data-type=\"detailGroup\" class=\"isomer-accordion isomer-accordion-white\">\n\
         {details}</div>"
    )
}

fn tiptap_table(rng: &mut Rng) -> String {
    let mut rows = String::from(
        "<tr><th rowspan=\"1\" colspan=\"1\"><p>Item</p></th>\
         <th rowspan=\"1\" colspan=\"1\"><p>Status</p></th></tr>\n",
    );
    for _ in 0..rng.range(2, 5) {
        rows.push_str(&format!(
            "<tr><td rowspan=\"1\" colspan=\"1\"><p>{}</p></td>\
             <td rowspan=\"1\" colspan=\"1\"><p>{}</p></td></tr>\n",
            title(rng, 1, 3),
            rng.pick(STATUSES)
        ));
    }
    format!(
        "<table style=\"minWidth: 50px\">\n<colgroup>\n<col>\n<col>\n</colgroup>\n\
         <tbody>\n{rows}</tbody>\n</table>"
    )
}
