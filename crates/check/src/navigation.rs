//! Navigation: entries of `_data/navigation.yml` that point nowhere.

use gazette_content::NavLink;

use crate::context::Context;
use crate::locate::{Position, find_url, position_of};
use crate::published::Served;
use crate::rule::Rule;
use crate::url::{Target, resolve};

const FILE: &str = "_data/navigation.yml";

/// Checks every navbar entry and dropdown link.
pub(crate) fn check(context: &mut Context<'_>) {
    let links = context.site.navigation.links.clone();
    let text = context.texts.get(FILE).unwrap_or_default().to_owned();
    let mut search_from = 0;
    for link in &links {
        let entry_start = text[search_from..]
            .find(link.title.as_str())
            .map_or(search_from, |at| search_from + at);
        search_from = entry_start;
        let entry_position = (!text.is_empty()).then(|| position_of(&text, entry_start));
        let entry_text = &text[entry_start..];
        let url_position = |url: &str| {
            find_url(entry_text, url, 0).map(|p| Position {
                line: p.line + entry_position.map_or(0, |e| e.line - 1),
                column: p.column,
            })
        };
        for (problem, position) in entry_problems(context, link, &url_position) {
            let (message, hint) = problem;
            let position = position.or(entry_position);
            context.add_at(
                Rule::BrokenNavigation,
                Rule::BrokenNavigation.default_severity(),
                FILE,
                position,
                message,
                hint,
            );
        }
    }
}

type Problem = (String, String);

fn entry_problems(
    context: &Context<'_>,
    link: &NavLink,
    url_position: &dyn Fn(&str) -> Option<Position>,
) -> Vec<(Problem, Option<Position>)> {
    let site = context.site;
    let title = &link.title;
    let mut problems = Vec::new();
    if let Some(url) = &link.url
        && let Some(problem) = url_problem(context, title, url)
    {
        problems.push((problem, url_position(url)));
    }
    if let Some(name) = &link.collection {
        match site.collection(name) {
            None => problems.push((
                (
                    format!("navigation entry `{title}` lists collection `{name}`, which the site does not have"),
                    format!("name a folder `_<name>/` with a `collection.yml`; the site's collections are: {}", collection_names(context)),
                ),
                url_position(name),
            )),
            Some(collection)
                if !collection
                    .entries
                    .iter()
                    .any(|entry| site.pages[entry.page].published) =>
            {
                problems.push((
                    (
                        format!("navigation entry `{title}` lists collection `{name}`, which publishes no pages"),
                        format!("add pages to `_{name}/` and list them in its `collection.yml` `order`"),
                    ),
                    url_position(name),
                ));
            }
            Some(_) => {}
        }
    }
    if link.resource_room
        && site
            .resource_room
            .as_ref()
            .is_none_or(|room| room.index_page.is_none())
    {
        problems.push((
            (
                format!("navigation entry `{title}` links to the resource room, which the site does not have"),
                "set `resources_name` in `_config.yml` and add `<resources_name>/index.html`, or remove the entry".to_owned(),
            ),
            url_position("resource_room"),
        ));
    }
    let points_somewhere = link.url.as_deref().is_some_and(|u| !u.is_empty())
        || link.collection.is_some()
        || link.resource_room
        || !link.sublinks.is_empty();
    if !points_somewhere {
        problems.push((
            (
                format!("navigation entry `{title}` points nowhere"),
                "give it a `url`, a `collection`, `resource_room: true` or `sublinks`".to_owned(),
            ),
            None,
        ));
    }
    for sub in &link.sublinks {
        let problem = if sub.url.is_empty() {
            Some((
                format!("dropdown link `{}` under `{title}` has no `url`", sub.title),
                "give the link a `url`".to_owned(),
            ))
        } else {
            url_problem(context, &sub.title, &sub.url)
        };
        if let Some(problem) = problem {
            let position = if sub.url.is_empty() {
                None
            } else {
                url_position(&sub.url)
            };
            problems.push((problem, position));
        }
    }
    problems
}

/// What is wrong with a navigation URL, if anything.
fn url_problem(context: &Context<'_>, title: &str, url: &str) -> Option<Problem> {
    let Target::Internal { path, .. } = resolve(url, "/") else {
        return None;
    };
    match context.published.serve(&path) {
        Some(Served::File(_) | Served::Redirect) => None,
        None if path.ends_with(".md") => Some((
            format!("navigation link `{title}` points to the source file `{url}`"),
            "link to the page's permalink instead".to_owned(),
        )),
        None => Some((
            format!("navigation link `{title}` points to `{url}`, which does not exist"),
            match context.published.same_but_for_case(&path) {
                Some(found) => {
                    format!("`/{found}` differs only in letter case; addresses are case-sensitive")
                }
                None => "link to an existing page's permalink".to_owned(),
            },
        )),
    }
}

fn collection_names(context: &Context<'_>) -> String {
    let names: Vec<String> = context
        .site
        .collections
        .iter()
        .map(|c| format!("`{}`", c.name))
        .collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Whether a link on a rendered page is a navigation URL that [`check`]
/// reports, and not written in the page's own source.
pub(crate) fn covers(context: &Context<'_>, url: &str, origin: Option<&str>) -> bool {
    let navigation = &context.site.navigation;
    let in_navigation = navigation.links.iter().any(|link| {
        link.url.as_deref() == Some(url) || link.sublinks.iter().any(|sub| sub.url == url)
    });
    in_navigation
        && origin
            .and_then(|origin| context.texts.get(origin))
            .is_none_or(|text| !text.contains(url))
}
