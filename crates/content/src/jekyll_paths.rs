//! Jekyll's paths: where a page or post without a permalink is written, a
//! post's file name and the site's permalink style, external URLs taken as
//! paths, and the small path helpers they share.

use jiff::civil::Date;

use crate::page::PostKind;
use crate::permalink::slugify_pretty;

/// The path Jekyll writes a page whose permalink is another site's URL
/// at: the URL taken as a path, with runs of `/` collapsed.
pub(crate) fn jekyll_path_of_url(url: &str) -> String {
    let mut path = String::with_capacity(url.len() + 1);
    for c in url.trim().chars() {
        if c == '/' && path.ends_with('/') {
            continue;
        }
        if path.is_empty() && c != '/' {
            path.push('/');
        }
        path.push(c);
    }
    path
}

/// A post's URL from the site's `permalink` style (Jekyll's `date` unless
/// `_config.yml` says otherwise): `:categories` are the folders above
/// `_posts`, lowercased; `:title` is the slug from the file name.
pub(crate) fn post_permalink(style: &str, categories: &[String], date: Date, slug: &str) -> String {
    let pattern = match style {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        custom => custom,
    };
    let categories: Vec<String> = categories
        .iter()
        .map(|c| escape_path(&c.to_lowercase()))
        .collect();
    let title = escape_path(&slugify_pretty(slug));
    let mut url = String::with_capacity(pattern.len() + slug.len() + 32);
    let mut rest = pattern;
    while let Some(colon) = rest.find(':') {
        url.push_str(&rest[..colon]);
        let after = &rest[colon + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let value = match name {
            "categories" => categories.join("/"),
            "year" => format!("{:04}", date.year()),
            "short_year" => format!("{:02}", date.year() % 100),
            "month" => format!("{:02}", date.month()),
            "i_month" => date.month().to_string(),
            "day" => format!("{:02}", date.day()),
            "i_day" => date.day().to_string(),
            "y_day" => format!("{:03}", date.day_of_year()),
            "title" => title.clone(),
            "slug" => title.to_lowercase(),
            "output_ext" => ".html".to_owned(),
            _ => format!(":{name}"),
        };
        url.push_str(&value);
        rest = &after[name_len..];
    }
    url.push_str(rest);
    jekyll_path_of_url(&url)
}

/// Jekyll's URL for a page without a permalink (`permalink: none`):
/// `/dir/name.html`, or `/dir/` for an index file.
pub(crate) fn derived_page_permalink(path: &str) -> String {
    let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let folder = if folder.is_empty() {
        String::from("/")
    } else {
        format!("/{}/", escape_path(folder))
    };
    if stem == "index" {
        folder
    } else {
        format!("{folder}{}.html", escape_path(stem))
    }
}

pub(crate) fn escape_path(path: &str) -> String {
    path.replace('%', "%25").replace(' ', "%20")
}

pub(crate) fn extension(path: &str) -> Option<&str> {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.').map(|(_, ext)| ext)
}

pub(crate) fn file_stem(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_owned()
}

pub(crate) fn replace_extension(path: &str, new_extension: &str) -> String {
    match path.rsplit_once('.') {
        Some((stem, _)) => format!("{stem}.{new_extension}"),
        None => format!("{path}.{new_extension}"),
    }
}

/// The line of a YAML file where `needle` first appears (for `order` entries).
pub(crate) fn line_in(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|line| line.contains(needle))
        .map_or(1, |index| index as u32 + 1)
}

/// The parts of a post's file name: `2024-03-14-file-Annual Report.md`.
pub(crate) struct PostFileName {
    pub(crate) date: Date,
    pub(crate) kind: Option<PostKind>,
    /// The rest, which Jekyll slugified into the URL (kind included).
    pub(crate) slug: String,
}

impl PostFileName {
    /// Jekyll's post name pattern: a date (`\d{2,4}-\d{1,2}-\d{1,2}`), a
    /// `-`, the title and an extension; `None` for any other name, which
    /// Jekyll does not read as a post.
    pub(crate) fn parse(file_name: &str) -> Option<Self> {
        let (stem, extension) = file_name.rsplit_once('.')?;
        if extension.is_empty() {
            return None;
        }
        let mut parts = stem.splitn(4, '-');
        let mut number = |digits: std::ops::RangeInclusive<usize>| {
            let part = parts.next()?;
            (digits.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i16>().ok())
                .flatten()
        };
        let (year, month, day) = (number(2..=4)?, number(1..=2)?, number(1..=2)?);
        let rest = parts.next()?;
        let date = Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()?;
        let kind = match rest.split_once('-').map(|(kind, _)| kind) {
            Some("post") => Some(PostKind::Post),
            Some("link") => Some(PostKind::Link),
            Some("file") => Some(PostKind::File),
            _ => None,
        };
        Some(Self {
            date,
            kind,
            slug: rest.to_owned(),
        })
    }
}
