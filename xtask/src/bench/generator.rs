//! Deterministic Isomer-format sites and workspaces for benchmarks.
//!
//! A site of `pages` source pages has collections with third-level groups
//! (`collection.yml` order, `.keep` files, `third_nav_title`), a resource
//! room of dated posts (post, link and file kinds, paginated), Markdown and
//! rich-text (tiptap) pages, a homepage with every common section,
//! navigation, footer, `misc/` files, images and PDFs. The same arguments
//! always write byte-identical trees: everything comes from a seeded
//! [`Rng`], in a fixed order, with fixed dates.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::custom_scss::CUSTOM_SCSS;
use super::file_tree::{copy_tree, write};
use super::media::{pdf_document, png_pixel, svg_illustration};
use super::prose::{Targets, markdown_page, post_body, sentence, tiptap_page, title};
use super::rng::Rng;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkspaceSpec {
    /// How many sites.
    pub sites: usize,
    /// Source pages per site: collection pages plus resource room posts (the
    /// homepage and the fixed pages come on top).
    pub pages: usize,
}

/// A workspace that was written.
#[derive(Debug, Clone)]
pub struct GeneratedWorkspace {
    /// The folder holding `gazette.toml`.
    pub root: PathBuf,
    /// Its sites, in name order.
    pub sites: Vec<GeneratedSite>,
}

/// One generated site: where its files are, for history edits.
#[derive(Debug, Clone)]
pub struct GeneratedSite {
    /// Its name: `site-01`, ...
    pub name: String,
    /// Its folder relative to the workspace root (`sites/site-01`).
    pub folder: String,
    /// Collection pages, in site order.
    pub pages: Vec<PageFile>,
    /// Resource room category folders relative to the site folder.
    pub categories: Vec<String>,
}

/// A page's file and address.
#[derive(Debug, Clone)]
pub struct PageFile {
    /// The file relative to the site folder.
    pub path: String,
    /// Where the page is published (`/about-us/leadership/`).
    pub permalink: String,
}

const SEED: u64 = 0x6A7E_77E0_2026_0001;
const PAGINATE: usize = 12;
const ROOM: &str = "news";

const COLLECTIONS: &[&str] = &[
    "About Us",
    "Our Services",
    "Grants and Schemes",
    "Publications",
    "Policies and Guidelines",
    "Careers",
    "Legislation",
    "Digital Services",
    "Community Programmes",
    "Research",
];
const CATEGORIES: &[&str] = &[
    "Press Releases",
    "Speeches",
    "Media Coverage",
    "Announcements",
];
const AGENCIES: &[&str] = &[
    "Housing",
    "Transport",
    "Health",
    "Education",
    "Environment",
    "Manpower",
    "Culture",
    "Finance",
    "Digital",
    "Social",
    "Water",
    "Energy",
    "Maritime",
    "Aviation",
    "Sports",
];
const COLOURS: &[&str] = &[
    "#1f4e9c", "#e05a2b", "#0f8a6d", "#7a4bbf", "#4a5568", "#b83280", "#2b6cb0", "#c05621",
];

/// Writes a workspace of `spec.sites` sites under `root` (which must not
/// exist yet or be empty), with a copy of `themes`.
pub fn write_workspace(
    root: &Path,
    spec: &WorkspaceSpec,
    themes: &Path,
) -> io::Result<GeneratedWorkspace> {
    write_empty_workspace(root, themes)?;
    let mut sites = Vec::with_capacity(spec.sites);
    for index in 1..=spec.sites {
        let name = format!("site-{index:02}");
        let folder = format!("sites/{name}");
        let plan = SitePlan::new(index, spec.pages);
        let site = plan.write(&root.join(&folder), name, folder)?;
        sites.push(site);
    }
    Ok(GeneratedWorkspace {
        root: root.to_owned(),
        sites,
    })
}

/// Writes `gazette.toml`, a `.gitignore` for the output and a copy of
/// `themes`: a workspace with no sites yet.
pub fn write_empty_workspace(root: &Path, themes: &Path) -> io::Result<()> {
    fs::create_dir_all(root.join("sites"))?;
    write(
        &root.join("gazette.toml"),
        "# A generated benchmark workspace.\noutput = \"public\"\nsites = \"sites\"\n\
         themes = \"themes\"\ndefault_theme = \"isomer\"\n",
    )?;
    write(&root.join(".gitignore"), "/public/\n")?;
    copy_tree(themes, &root.join("themes"))
}

/// URL slug of a title, as Isomer's CMS makes them.
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The calendar date `days` after 1970-01-01 (proleptic Gregorian).
fn civil_date(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days from 1970-01-01 to 2016-01-01, where generated news begins.
const NEWS_START: i64 = 16_801;
/// Ten years of news.
const NEWS_SPAN_DAYS: i64 = 3_650;

struct PagePlan {
    title: String,
    permalink: String,
    rich: bool,
}

enum Item {
    Page(PagePlan),
    Group { title: String, pages: Vec<PagePlan> },
}

struct CollectionPlan {
    title: String,
    slug: String,
    items: Vec<Item>,
}

#[derive(Clone, Copy)]
enum PostKind {
    Post,
    Link,
    File,
}

struct PostPlan {
    title: String,
    date: String,
    kind: PostKind,
}

struct CategoryPlan {
    title: String,
    slug: String,
    posts: Vec<PostPlan>,
}

/// Everything about one site that must be decided before any file is
/// written (titles and permalinks, so that links point at pages that exist).
struct SitePlan {
    index: usize,
    title: String,
    short: String,
    domain: String,
    colours: Vec<&'static str>,
    collections: Vec<CollectionPlan>,
    categories: Vec<CategoryPlan>,
    rng: Rng,
}

impl SitePlan {
    fn new(index: usize, pages: usize) -> Self {
        let mut rng = Rng::new(SEED ^ (index as u64).wrapping_mul(0x1000_0000_01B3));
        let agency = AGENCIES[(index - 1) % AGENCIES.len()];
        let round = (index - 1) / AGENCIES.len();
        let site_title = if round == 0 {
            format!("{agency} Agency")
        } else {
            format!("{agency} Agency {}", round + 1)
        };
        let short = format!("{}{}A", &agency[..1], index);
        let domain = format!("{}.example.gov.sg", slug(&site_title));
        let colours = (0..5).map(|_| *rng.pick(COLOURS)).collect();

        let posts = (pages / 5).max(4);
        let collection_pages = pages.saturating_sub(posts).max(2);
        let collection_count = (collection_pages / 50).clamp(2, COLLECTIONS.len());
        let mut used = std::collections::BTreeSet::new();
        let mut unique_title = |rng: &mut Rng, low, high| {
            let base = title(rng, low, high);
            let mut candidate = base.clone();
            let mut n = 2;
            while !used.insert(slug(&candidate)) {
                candidate = format!("{base} {n}");
                n += 1;
            }
            candidate
        };
        let mut collections = Vec::with_capacity(collection_count);
        for (position, name) in COLLECTIONS.iter().take(collection_count).enumerate() {
            let share = collection_pages / collection_count
                + usize::from(position < collection_pages % collection_count);
            let collection_slug = slug(name);
            let mut items = Vec::new();
            let mut left = share;
            while left > 0 {
                if left >= 3 && rng.chance(8) {
                    // About 30% of pages end up in groups of 3 to 8.
                    let size = rng.range(3, 8).min(left);
                    let group = unique_title(&mut rng, 1, 3);
                    let pages = (0..size)
                        .map(|_| {
                            let page = unique_title(&mut rng, 2, 5);
                            PagePlan {
                                permalink: format!(
                                    "/{collection_slug}/{}/{}/",
                                    slug(&group),
                                    slug(&page)
                                ),
                                title: page,
                                rich: rng.chance(25),
                            }
                        })
                        .collect();
                    items.push(Item::Group {
                        title: group,
                        pages,
                    });
                    left -= size;
                } else {
                    let page = unique_title(&mut rng, 2, 5);
                    items.push(Item::Page(PagePlan {
                        permalink: format!("/{collection_slug}/{}/", slug(&page)),
                        title: page,
                        rich: rng.chance(25),
                    }));
                    left -= 1;
                }
            }
            collections.push(CollectionPlan {
                title: (*name).to_owned(),
                slug: collection_slug,
                items,
            });
        }

        let category_count = if posts >= 40 { 4 } else { 3 };
        let mut categories: Vec<CategoryPlan> = CATEGORIES[..category_count]
            .iter()
            .map(|name| CategoryPlan {
                title: (*name).to_owned(),
                slug: slug(name),
                posts: Vec::new(),
            })
            .collect();
        for number in 0..posts {
            let days = NEWS_START + number as i64 * NEWS_SPAN_DAYS / posts as i64;
            let (year, month, day) = civil_date(days);
            let kind = match number % 7 {
                5 => PostKind::Link,
                6 => PostKind::File,
                _ => PostKind::Post,
            };
            let post = PostPlan {
                title: unique_title(&mut rng, 3, 6),
                date: format!("{year:04}-{month:02}-{day:02}"),
                kind,
            };
            categories[number % category_count].posts.push(post);
        }
        Self {
            index,
            title: site_title,
            short,
            domain,
            colours,
            collections,
            categories,
            rng,
        }
    }

    fn post_permalink(&self, category: &CategoryPlan, post: &PostPlan) -> String {
        format!("/{ROOM}/{}/{}/", category.slug, slug(&post.title))
    }

    /// Permalinks that exist in the site, for internal links.
    fn permalinks(&self) -> Vec<String> {
        let mut links = vec!["/contact-us/".to_owned(), format!("/{ROOM}/")];
        for collection in &self.collections {
            for item in &collection.items {
                match item {
                    Item::Page(page) => links.push(page.permalink.clone()),
                    Item::Group { pages, .. } => {
                        links.extend(pages.iter().map(|page| page.permalink.clone()));
                    }
                }
            }
        }
        for category in &self.categories {
            for post in &category.posts {
                if let PostKind::Post = post.kind {
                    links.push(self.post_permalink(category, post));
                }
            }
        }
        links
    }

    fn write(mut self, dir: &Path, name: String, folder: String) -> io::Result<GeneratedSite> {
        let links = self.permalinks();
        let images = self.write_media(dir)?;
        let targets = Targets {
            links: &links,
            images: &images,
        };
        write(
            &dir.join("site.toml"),
            format!(
                "# Gazette settings for this site\ntheme = \"isomer\"\nbase_url = \"https://{}\"\n",
                self.domain
            ),
        )?;
        write(&dir.join("_config.yml"), self.config())?;
        write(&dir.join("_data/navigation.yml"), self.navigation())?;
        write(&dir.join("_data/footer.yml"), self.footer())?;
        let homepage = self.homepage(&images);
        write(&dir.join("index.md"), homepage)?;
        self.write_fixed_pages(dir, &targets)?;

        let mut rng = self.rng.fork(1);
        let mut pages = Vec::new();
        for collection in &self.collections {
            let base = dir.join(format!("_{}", collection.slug));
            let mut order = Vec::new();
            for item in &collection.items {
                match item {
                    Item::Page(page) => {
                        let file = format!("{}.md", page.title);
                        write(&base.join(&file), page_file(&mut rng, page, None, &targets))?;
                        pages.push(PageFile {
                            path: format!("_{}/{file}", collection.slug),
                            permalink: page.permalink.clone(),
                        });
                        order.push(file);
                    }
                    Item::Group {
                        title,
                        pages: members,
                    } => {
                        write(&base.join(title).join(".keep"), "")?;
                        order.push(format!("{title}/.keep"));
                        for page in members {
                            let file = format!("{title}/{}.md", page.title);
                            let text = page_file(&mut rng, page, Some(title), &targets);
                            write(&base.join(&file), text)?;
                            pages.push(PageFile {
                                path: format!("_{}/{file}", collection.slug),
                                permalink: page.permalink.clone(),
                            });
                            order.push(file);
                        }
                    }
                }
            }
            let mut yaml = format!(
                "collections:\n  {}:\n    output: true\n    order:\n",
                collection.slug
            );
            for file in order {
                yaml.push_str(&format!("      - {}\n", quoted(&file)));
            }
            write(&base.join("collection.yml"), yaml)?;
        }

        write(
            &dir.join(ROOM).join("index.html"),
            "---\nlayout: resources\ntitle: News\n---\n",
        )?;
        let mut categories = Vec::new();
        for category in &self.categories {
            let folder = format!("{ROOM}/{}", category.slug);
            write(
                &dir.join(&folder).join("index.html"),
                format!(
                    "---\nlayout: resources-alt\ntitle: {}\n---\n",
                    quoted(&category.title)
                ),
            )?;
            for post in &category.posts {
                let (kind, text) = match post.kind {
                    PostKind::Post => (
                        "post",
                        format!(
                            "---\ntitle: {}\npermalink: {}\nlayout: post\ndescription: {}\n---\n{}",
                            quoted(&post.title),
                            self.post_permalink(category, post),
                            quoted(&sentence(&mut rng, 8, 14)),
                            post_body(&mut rng, &targets)
                        ),
                    ),
                    PostKind::Link => (
                        "link",
                        format!(
                            "---\ntitle: {}\npermalink: https://www.example.com/{}/{}\n\
                             layout: link\ndescription: {}\n---\n",
                            quoted(&post.title),
                            category.slug,
                            slug(&post.title),
                            quoted(&sentence(&mut rng, 8, 14))
                        ),
                    ),
                    PostKind::File => (
                        "file",
                        format!(
                            "---\ntitle: {}\nlayout: file\ndescription: {}\nfile_url: {}\n---\n",
                            quoted(&post.title),
                            quoted(&sentence(&mut rng, 8, 14)),
                            FILES[rng.range(0, FILES.len() - 1)].0
                        ),
                    ),
                };
                let file = format!("{}-{kind}-{}.md", post.date, post.title);
                write(&dir.join(&folder).join("_posts").join(file), text)?;
            }
            categories.push(folder);
        }
        Ok(GeneratedSite {
            name,
            folder,
            pages,
            categories,
        })
    }

    /// Writes images and documents; returns the image paths pages may use.
    fn write_media(&mut self, dir: &Path) -> io::Result<Vec<String>> {
        let mut images = Vec::new();
        write(
            &dir.join("images/logo.svg"),
            svg_illustration(self.colours[0], &self.short),
        )?;
        write(&dir.join("images/favicon.png"), png_pixel(31, 78, 156))?;
        write(
            &dir.join("images/Hero Banner.svg"),
            svg_illustration(self.colours[1], &self.title),
        )?;
        for number in 1..=6u8 {
            let path = format!("/images/illustration-{number}.svg");
            let caption = title(&mut self.rng, 2, 3);
            write(
                &dir.join(&path[1..]),
                svg_illustration(
                    self.colours[usize::from(number) % self.colours.len()],
                    &caption,
                ),
            )?;
            images.push(path);
        }
        for (number, (red, green, blue)) in [(0, 94, 184), (224, 90, 43), (15, 138, 109)]
            .into_iter()
            .enumerate()
        {
            let path = format!("/images/Photo {}.png", number + 1);
            write(&dir.join(&path[1..]), png_pixel(red, green, blue))?;
            images.push(path);
        }
        for (path, file_title) in FILES {
            write(&dir.join(&path[1..]), pdf_document(file_title))?;
        }
        Ok(images)
    }

    fn config(&self) -> String {
        let media: String = self
            .colours
            .iter()
            .enumerate()
            .map(|(n, colour)| {
                format!(
                    "    - title: media-color-{}\n      color: \"{colour}\"\n",
                    ["one", "two", "three", "four", "five"][n]
                )
            })
            .collect();
        format!(
            "title: {title}\nurl: https://{domain}\ndescription: {description}\n\
             favicon: /images/favicon.png\nshareicon: /images/logo.svg\ncolors:\n  \
             primary-color: \"{primary}\"\n  secondary-color: \"{secondary}\"\n  media-colors:\n\
             {media}resources_name: {ROOM}\npaginate: {PAGINATE}\nis_government: true\n\
             permalink: none\nbaseurl: \"\"\nexclude:\n  - README.md\n  - site.toml\n\
             defaults:\n  - scope:\n      path: \"\"\n    values:\n      layout: page\n\
             custom_css_path: /misc/custom.css\nplugins:\n  - jekyll-feed\n  - jekyll-paginate\n  \
             - jekyll-sitemap\n  - jekyll-remote-theme\n\
             remote_theme: isomerpages/isomerpages-template@next-gen\n\
             # Custom keys read by pages through Liquid\n\
             contact_email: enquiries@{domain}\nhotline: +65 6{index:03} 0000\n",
            title = self.title,
            domain = self.domain,
            description = quoted(&format!(
                "The {} helps residents and businesses with {} services.",
                self.title,
                self.title.to_lowercase()
            )),
            primary = self.colours[0],
            secondary = self.colours[1],
            index = self.index,
        )
    }

    fn navigation(&self) -> String {
        let mut yaml = String::from("logo: /images/logo.svg\nlinks:\n");
        for (position, collection) in self.collections.iter().enumerate() {
            yaml.push_str(&format!("  - title: {}\n", collection.title));
            if position == 1 {
                // One menu written by hand, as older sites have them.
                let pages = first_pages(collection, 5);
                yaml.push_str(&format!("    url: {}\n    sublinks:\n", pages[0].permalink));
                for page in pages {
                    yaml.push_str(&format!(
                        "      - title: {}\n        url: {}\n",
                        quoted(&page.title),
                        page.permalink
                    ));
                }
            } else {
                yaml.push_str(&format!("    collection: {}\n", collection.slug));
            }
        }
        yaml.push_str("  - title: News\n    resource_room: true\n");
        yaml.push_str("  - title: Contact Us\n    url: /contact-us/\n");
        yaml
    }

    fn footer(&self) -> String {
        format!(
            "contact_us: /contact-us/\nshow_reach: true\nfeedback: /faq/\nfaq: /faq/\n\
             privacy_policy: /privacy/\nterms_of_use: /terms-of-use/\n\
             copyright_agency: {title}\nsocial_media:\n  \
             facebook: https://www.facebook.example.com/{slug}\n  \
             youtube: https://www.youtube.example.com/@{slug}\n  \
             linkedin: https://www.linkedin.example.com/company/{slug}\nlinks:\n  \
             - title: {about_title}\n    url: {about}\n  - title: Report a Vulnerability\n    \
             url: https://vdp.example.gov.sg/\n",
            title = self.title,
            slug = slug(&self.title),
            about_title = self.collections[0].title,
            about = first_pages(&self.collections[0], 1)[0].permalink,
        )
    }

    fn homepage(&mut self, images: &[String]) -> String {
        let rng = &mut self.rng;
        let first: Vec<&PagePlan> = self
            .collections
            .iter()
            .filter_map(|collection| first_pages(collection, 1).into_iter().next())
            .collect();
        let page = |n: usize| first[n % first.len()];
        let mut yaml = format!(
            "---\nlayout: homepage\ntitle: {}\ndescription: {}\nimage: /images/logo.svg\n\
             permalink: /\nnotification: {}\nsections:\n",
            self.title,
            quoted(&sentence(rng, 10, 16)),
            quoted(&format!(
                "{} <a href=\"/{ROOM}/\">See the notice</a>.",
                sentence(rng, 8, 12)
            ))
        );
        yaml.push_str(&format!(
            "  - hero:\n      title: {}\n      subtitle: {}\n      background: /images/Hero Banner.svg\n      \
             button: Explore our services\n      url: {}\n      variant: side\n      size: lg\n      \
             alignment: left\n      key_highlights:\n",
            quoted(&title(rng, 3, 6)),
            quoted(&sentence(rng, 10, 16)),
            page(0).permalink
        ));
        for n in 0..3 {
            yaml.push_str(&format!(
                "        - title: {}\n          description: {}\n          url: {}\n",
                quoted(&page(n).title),
                quoted(&sentence(rng, 5, 9)),
                page(n).permalink
            ));
        }
        yaml.push_str(&format!(
            "  - infobar:\n      title: {}\n      subtitle: {}\n      description: {}\n      \
             button: Find out more\n      url: {}\n",
            quoted(&title(rng, 3, 5)),
            quoted(&title(rng, 1, 2)),
            quoted(&sentence(rng, 12, 20)),
            page(1).permalink
        ));
        yaml.push_str(&format!(
            "  - infopic:\n      title: {}\n      subtitle: {}\n      description: {}\n      \
             button: Read more\n      url: {}\n      image: {}\n      alt: {}\n      alignment: left\n",
            quoted(&title(rng, 3, 5)),
            quoted(&title(rng, 1, 2)),
            quoted(&sentence(rng, 12, 20)),
            page(2).permalink,
            images[0],
            quoted(&title(rng, 2, 4))
        ));
        yaml.push_str(&format!(
            "  - infocols:\n      title: What we do\n      subtitle: {}\n      url: {}\n      \
             linktext: See all\n      infoboxes:\n",
            quoted(&sentence(rng, 6, 10)),
            page(0).permalink
        ));
        for n in 0..3 {
            yaml.push_str(&format!(
                "        - title: {}\n          description: {}\n          button: Learn more\n          \
                 url: {}\n",
                quoted(&title(rng, 2, 3)),
                quoted(&sentence(rng, 8, 14)),
                page(n + 3).permalink
            ));
        }
        yaml.push_str(&format!(
            "  - textcards:\n      title: Get started\n      subtitle: {}\n      description: {}\n      \
             cards:\n",
            quoted(&sentence(rng, 5, 9)),
            quoted(&sentence(rng, 8, 14))
        ));
        for n in 0..3 {
            yaml.push_str(&format!(
                "        - title: {}\n          description: {}\n          linktext: Read more\n          \
                 url: {}\n",
                quoted(&title(rng, 2, 4)),
                quoted(&sentence(rng, 8, 14)),
                page(n + 1).permalink
            ));
        }
        yaml.push_str(
            "  - announcements:\n      title: Announcements\n      announcement_items:\n",
        );
        for n in 0..3 {
            yaml.push_str(&format!(
                "        - title: {}\n          date: {} March 2026\n          announcement: {}\n          \
                 link_text: Read more\n          link_url: {}\n",
                quoted(&title(rng, 3, 5)),
                20 - 7 * n,
                quoted(&sentence(rng, 10, 16)),
                page(n).permalink
            ));
        }
        yaml.push_str(
            "  - resources:\n      title: Latest news\n      subtitle: Press releases, speeches \
             and announcements\n      button: View all news\n---\n",
        );
        yaml
    }

    fn write_fixed_pages(&mut self, dir: &Path, targets: &Targets<'_>) -> io::Result<()> {
        let mut rng = self.rng.fork(2);
        write(
            &dir.join("pages/contact-us.md"),
            format!(
                "---\nlayout: contact_us\ntitle: Contact Us\npermalink: /contact-us/\n\
                 breadcrumb: Contact Us\nagency_name: {title}\nlocations:\n  - title: Main Office\n    \
                 address:\n      - {index} Example Road\n      - \"#0{index}-00 Sample Tower\"\n      \
                 - Singapore 0000{index:02}\n    operating_hours:\n      - days: Monday to Friday\n        \
                 time: 8.30am to 5.30pm\n        description: Closed on public holidays.\n    \
                 maps_link: https://maps.example.gov.sg/?q={index}\ncontacts:\n  - title: General enquiries\n    \
                 content:\n      - phone: +65 6{index:03} 0000\n      - email: enquiries@{domain}\n---\n",
                title = self.title,
                index = self.index,
                domain = self.domain,
            ),
        )?;
        for (file, page_title, permalink) in [
            ("privacy", "Privacy Statement", "/privacy/"),
            ("terms-of-use", "Terms of Use", "/terms-of-use/"),
            ("faq", "Frequently Asked Questions", "/faq/"),
        ] {
            write(
                &dir.join(format!("pages/{file}.md")),
                format!(
                    "---\ntitle: {page_title}\npermalink: {permalink}\nbreadcrumb: {page_title}\n---\n{}",
                    markdown_page(&mut rng, targets, true)
                ),
            )?;
        }
        write(
            &dir.join("misc/search.md"),
            "---\nlayout: search\ntitle: Search\npermalink: /search/\nbreadcrumb: Search\n---\n",
        )?;
        write(
            &dir.join("misc/404.html"),
            "---\nlayout: skeleton\ntitle: Page Not Found\npermalink: /404.html\n---\n\
             <div class=\"not-found\">\n  <h1>404</h1>\n  <p><strong>We could not find that page.\
             </strong></p>\n  <p>Try the <a href=\"/search/\">search page</a> or go back to the \
             <a href=\"/\">home page</a>.</p>\n</div>\n",
        )?;
        write(&dir.join("misc/custom.scss"), CUSTOM_SCSS)
    }
}

/// The PDFs every site has, by path and title.
const FILES: [(&str, &str); 3] = [
    ("/files/Annual Report 2025.pdf", "Annual Report 2025"),
    ("/files/application-form.pdf", "Application Form"),
    ("/files/fact-sheet.pdf", "Fact Sheet"),
];

fn first_pages(collection: &CollectionPlan, count: usize) -> Vec<&PagePlan> {
    collection
        .items
        .iter()
        .flat_map(|item| match item {
            Item::Page(page) => std::slice::from_ref(page),
            Item::Group { pages, .. } => pages.as_slice(),
        })
        .take(count)
        .collect()
}

/// A collection page file: front matter and a Markdown or rich-text body.
fn page_file(rng: &mut Rng, page: &PagePlan, group: Option<&str>, targets: &Targets<'_>) -> String {
    let mut text = format!(
        "---\ntitle: {}\npermalink: {}\ndescription: {}\nbreadcrumb: {}\n",
        quoted(&page.title),
        page.permalink,
        quoted(&sentence(rng, 8, 16)),
        quoted(&page.title)
    );
    if let Some(group) = group {
        text.push_str(&format!("third_nav_title: {}\n", quoted(group)));
    }
    if page.rich {
        text.push_str("variant: tiptap\n---\n");
        text.push_str(&tiptap_page(rng, targets));
    } else {
        text.push_str("---\n");
        let liquid = rng.chance(10);
        text.push_str(&markdown_page(rng, targets, liquid));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{civil_date, slug};

    #[test]
    fn civil_dates_follow_the_gregorian_calendar() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(super::NEWS_START), (2016, 1, 1));
        assert_eq!(civil_date(16_861), (2016, 3, 1));
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_hyphens() {
        assert_eq!(slug("Grants and Schemes"), "grants-and-schemes");
        assert_eq!(slug("  Island-wide  Rollout!"), "island-wide-rollout");
    }
}
