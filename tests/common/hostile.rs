//! A site written by a hostile author: every URL its data can hold is a
//! script URL, spelled several ways, and every text the theme shows as
//! markup carries an element with an event handler. Each payload calls
//! `pwned(where)`, a function the browser check watches, so a payload
//! that runs says which field it came from.

use std::path::Path;

use super::{news_room, write};

/// How the hostile site spells a script URL, as written in its YAML.
pub const SPELLINGS: [&str; 5] = [
    "javascript:pwned('script-url')",
    " JavaScript:pwned('mixed-case')",
    "java\\tscript:pwned('tab')",
    "vbscript:pwned('vbscript')",
    "data:text/html,<script>parent.pwned('data-url')</script>",
];

/// A text the theme shows as markup, with a handler that runs on load.
fn markup(field: &str) -> String {
    format!(
        "\"Text <img src=x onerror=\\\"pwned('{field}')\\\"> <b onmouseover=\\\"pwned('{field}')\\\">here</b>\""
    )
}

/// Writes the hostile site at `root`.
pub fn hostile_site(root: &Path) {
    let q: Vec<String> = SPELLINGS.iter().map(|s| format!("\"{s}\"")).collect();
    write(
        root,
        "_config.yml",
        &format!(
            "title: Hostile\nresources_name: news\nfavicon: {}\nshareicon: {}\ncolors:\n  \
             primary-color: \"red; }} body {{ background: url(//evil.example/p) }}\"\n  \
             secondary-color: \"url(//evil.example/s)\"\nnotification: {}\n",
            q[0],
            q[1],
            markup("notification"),
        ),
    );
    write(
        root,
        "_data/navigation.yml",
        &format!(
            "links:\n  - title: Top\n    url: {}\n  - title: {}\n    sublinks:\n      - title: Sub\n        url: {}\n",
            q[0],
            markup("navigation-title"),
            q[2]
        ),
    );
    write(
        root,
        "_data/footer.yml",
        &format!(
            "contact_us: {0}\nfeedback: {1}\nfaq: {2}\nprivacy_policy: {3}\nterms_of_use: {4}\n\
             social_media:\n  facebook: {0}\n  youtube: {1}\n\
             links:\n  - title: Extra\n    url: {2}\n",
            q[0], q[1], q[2], q[3], q[4]
        ),
    );
    write(
        root,
        "index.md",
        &format!(
            "---\nlayout: homepage\ntitle: Home\npermalink: /\nsections:\n\
             - hero:\n    title: {m_hero}\n    subtitle: {m_sub}\n    url: {0}\n    button: Go\n    \
               background: \"/images/a.png'); background: url('//evil.example/h\"\n    \
               key_highlights:\n      - title: {m_kh}\n        description: {m_khd}\n        url: {1}\n\
             - hero:\n    title: Choose\n    dropdown:\n      title: Pick\n      options:\n        \
               - title: One\n          url: {2}\n\
             - infobar:\n    title: I\n    description: {m_bar}\n    button: B\n    url: {2}\n\
             - infopic:\n    title: P\n    description: {m_pic}\n    button: B\n    url: {3}\n    image: {4}\n\
             - announcements:\n    title: News\n    announcement_items:\n      \
               - title: A\n        date: 1 Jan 2025\n        announcement: {m_ann}\n        \
                 link_text: More\n        link_url: {0}\n\
             - textcards:\n    title: Cards\n    cards:\n      - title: {m_card}\n        \
               description: {m_cardd}\n        url: {1}\n        linktext: Go\n\
             - infocols:\n    title: Cols\n    url: {2}\n    linktext: All\n    infoboxes:\n      \
               - title: {m_box}\n        description: {m_boxd}\n        button: Go\n        url: {3}\n\
             - carousel:\n    images:\n      - image: {4}\n        url: {0}\n        \
               title: {m_slide}\n        caption: {m_cap}\n        alt: Slide\n\
             ---\n",
            q[0],
            q[1],
            q[2],
            q[3],
            q[4],
            m_hero = markup("hero-title"),
            m_sub = markup("hero-subtitle"),
            m_kh = markup("highlight-title"),
            m_khd = markup("highlight-description"),
            m_bar = markup("infobar-description"),
            m_pic = markup("infopic-description"),
            m_ann = markup("announcement"),
            m_card = markup("textcard-title"),
            m_cardd = markup("textcard-description"),
            m_box = markup("infocol-title"),
            m_boxd = markup("infocol-description"),
            m_slide = markup("carousel-title"),
            m_cap = markup("carousel-caption"),
        ),
    );
    write(
        root,
        "pages/about.md",
        &format!(
            "---\ntitle: {}\ndescription: {}\npermalink: /about/\n---\nAbout us.\n\n\
             <a href=\"javascript:pwned('body-link')\">body link</a>\n\n\
             <img src=x onerror=\"pwned('body-img')\">\n",
            markup("page-title"),
            markup("page-description"),
        ),
    );
    news_room(root);
    write(
        root,
        "news/updates/_posts/2025-01-02-link-Out.md",
        &format!("---\ntitle: Out\nexternal: {}\n---\n", q[0]),
    );
    write(
        root,
        "news/updates/_posts/2025-01-03-file-Doc.md",
        &format!("---\ntitle: Doc\nfile_url: {}\n---\n", q[1]),
    );
    write(
        root,
        "news/updates/_posts/2025-01-04-post-Said.md",
        &format!(
            "---\ntitle: {}\ndescription: {}\n---\nWhat was said.\n",
            markup("post-title"),
            markup("post-description")
        ),
    );
}
