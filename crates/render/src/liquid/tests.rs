//! Liquid snippets and what Ruby Liquid 4 under Jekyll 4 renders for them.
//! Each case names the documented rule it checks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::*;

fn site() -> Value {
    liquid_core::to_value(&serde_json::json!({
        "title": "Agency",
        "baseurl": "/base",
        "url": "https://agency.gov.sg",
        "colors": {"primary-color": "#123456", "media-colors": [{"title": "one", "color": "#fff"}]},
        "data": {
            "offices": [{"name": "North", "open": true, "tags": ["a", "b"]}, {"name": "South", "open": false}],
            "people": [{"name": "Ada", "team": "x"}, {"name": "Bo", "team": "y"}, {"name": "Cy", "team": "x"}]
        }
    }))
    .unwrap()
}

fn engine() -> LiquidEngine {
    let site_includes = BTreeMap::from([
        (
            "button.html".to_owned(),
            "<a href=\"{{ include.src }}\">{{ include.text }}</a>".to_owned(),
        ),
        (
            "folder/note.html".to_owned(),
            "[{{ include.n | plus: 1 }}]".to_owned(),
        ),
        ("broken.html".to_owned(), "{% if x %}".to_owned()),
        ("self.html".to_owned(), "{% include self.html %}".to_owned()),
    ]);
    let theme_includes = BTreeMap::from([
        ("button.html".to_owned(), "theme button".to_owned()),
        (
            "header-breadcrumb.html".to_owned(),
            "<nav>{{ page.title }}</nav>".to_owned(),
        ),
    ]);
    let links = SiteTargets {
        pages: BTreeMap::from([("pages/about.md".to_owned(), "/about/".to_owned())]),
        posts: BTreeMap::from([("2017-01-02-news".to_owned(), "/news/2017/news/".to_owned())]),
        relative_includes: BTreeMap::from([(
            "pages/parts/intro.md".to_owned(),
            "Intro for {{ include.who }} on {{ page.title }}".to_owned(),
        )]),
    };
    LiquidEngine::with_files(site_includes, &theme_includes, links)
}

fn render(text: &str) -> LiquidOutput {
    let page = liquid_core::to_value(
        &serde_json::json!({"title": "Contact", "n": 3, "path": "pages/contact.md"}),
    )
    .unwrap();
    engine()
        .render_page(text, &[("site", &site()), ("page", &page)])
        .unwrap_or_else(|error| panic!("{text}: {error:?}"))
}

/// (rule, template, expected output)
const CASES: &[(&str, &str, &str)] = &[
    // Liquid: variables, and a missing variable, key or index renders nothing.
    ("variable", "{{ page.title }}", "Contact"),
    (
        "missing variable is nil",
        "[{{ nowhere }}{{ nowhere.deep }}]",
        "[]",
    ),
    (
        "missing key of an existing value is nil",
        "[{{ page.title.nothing }}{{ site.data.offices[1].tags }}]",
        "[]",
    ),
    (
        "missing index is nil",
        "[{{ site.data.offices[9].name }}]",
        "[]",
    ),
    (
        "hyphenated keys",
        "{{ site.colors.primary-color }}",
        "#123456",
    ),
    (
        "empty output tag renders nothing (Ruby Liquid)",
        "a{{ }}b",
        "ab",
    ),
    // Liquid truthiness: only nil and false are false.
    (
        "empty string is truthy",
        "{% if '' %}t{% else %}f{% endif %}",
        "t",
    ),
    ("zero is truthy", "{% if 0 %}t{% else %}f{% endif %}", "t"),
    (
        "nil is falsy",
        "{% if nothing %}t{% else %}f{% endif %}",
        "f",
    ),
    (
        "false is falsy",
        "{% if false %}t{% else %}f{% endif %}",
        "f",
    ),
    (
        "elsif",
        "{% if false %}a{% elsif true %}b{% else %}c{% endif %}",
        "b",
    ),
    (
        "else if is a plain else (Ruby Liquid ignores else's markup)",
        "{% if false %}a{% else if false %}b{% endif %}",
        "b",
    ),
    ("unless", "{% unless false %}u{% endunless %}", "u"),
    (
        "the first else is taken, later branches never render (Ruby Liquid)",
        "{% if false %}a{% else if x %}b{% else %}c{% endif %}",
        "b",
    ),
    (
        "{{ }} inside a tag's markup is the variable (lax parser)",
        "{% if {{ page.title }} %}y{% endif %}{% for i in {{ site.data.offices }} %}{{ i.name }}{% endfor %}",
        "yNorthSouth",
    ),
    (
        "include parameters may be numbers",
        "{% include folder/note.html n=41 %}",
        "[42]",
    ),
    (
        "and/or group from the right",
        "{% if true or false and false %}t{% else %}f{% endif %}",
        "t",
    ),
    (
        "contains on a string",
        "{% if 'hello' contains 'ell' %}y{% endif %}",
        "y",
    ),
    (
        "contains on an array",
        "{% if site.data.offices[0].tags contains 'b' %}y{% endif %}",
        "y",
    ),
    (
        "contains on nil is false",
        "{% if nothing contains 'x' %}y{% else %}n{% endif %}",
        "n",
    ),
    (
        "comparing a string with a number is false",
        "{% if 'a' < 1 %}y{% else %}n{% endif %}",
        "n",
    ),
    (
        "== compares values",
        "{% if page.n == 3 %}y{% endif %}",
        "y",
    ),
    (
        "case/when",
        "{% case page.n %}{% when 1 %}one{% when 3 %}three{% else %}other{% endcase %}",
        "three",
    ),
    // Liquid: iteration.
    (
        "for over an array",
        "{% for o in site.data.offices %}{{ o.name }},{% endfor %}",
        "North,South,",
    ),
    (
        "for with limit and offset",
        "{% for i in (1..10) limit: 2 offset: 3 %}{{ i }}{% endfor %}",
        "45",
    ),
    (
        "for reversed",
        "{% for i in (1..3) reversed %}{{ i }}{% endfor %}",
        "321",
    ),
    (
        "forloop variables",
        "{% for i in (5..7) %}{{ forloop.index }}{{ forloop.rindex0 }}{% if forloop.last %}L{% endif %}{% endfor %}",
        "122130L",
    ),
    (
        "for else on an empty collection",
        "{% for i in nothing %}x{% else %}empty{% endfor %}",
        "empty",
    ),
    (
        "break and continue",
        "{% for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}",
        "13",
    ),
    (
        "a missing key inside a loop is nil",
        "{% for o in site.data.offices %}[{{ o.tags | join: '' }}]{% endfor %}",
        "[ab][]",
    ),
    (
        "tablerow",
        "{% tablerow i in (1..3) cols: 2 %}{{ i }}{% endtablerow %}",
        "<tr class=\"row1\">\n<td class=\"col1\">1</td><td class=\"col2\">2</td></tr>\n<tr class=\"row2\"><td class=\"col1\">3</td></tr>\n",
    ),
    (
        "cycle",
        "{% for i in (1..3) %}{% cycle 'a', 'b' %}{% endfor %}",
        "aba",
    ),
    ("increment", "{% increment c %}{% increment c %}", "01"),
    // Liquid: variables set by tags.
    (
        "assign and capture",
        "{% assign x = page.title | upcase %}{% capture y %}<{{ x }}>{% endcapture %}{{ y }}",
        "<CONTACT>",
    ),
    (
        "raw",
        "{% raw %}{{ not }}{% else if %}{% endraw %}",
        "{{ not }}{% else if %}",
    ),
    ("comment", "a{% comment %}{{ x }}{% endcomment %}b", "ab"),
    (
        "whitespace control",
        "a  {%- if true -%}  b  {%- endif -%}  c",
        "abc",
    ),
    // Liquid: an unknown filter returns its input (strict_filters off).
    (
        "unknown filter",
        "{{ 'x' | no_such_filter: 1 | upcase }}",
        "X",
    ),
    // Liquid arithmetic: integer division floors; floats stay floats.
    ("plus", "{{ 4 | plus: 2 }}", "6"),
    (
        "divided_by integers floors",
        "{{ 7 | divided_by: 2 }},{{ -7 | divided_by: 2 }}",
        "3,-4",
    ),
    ("divided_by a float", "{{ 7 | divided_by: 2.0 }}", "3.5"),
    (
        "modulo takes the divisor's sign (Ruby)",
        "{{ -7 | modulo: 3 }}",
        "2",
    ),
    (
        "strings are numbers in arithmetic",
        "{{ '3' | times: 2 }}",
        "6",
    ),
    // Jekyll includes.
    (
        "include with parameters",
        "{% include button.html text=\"Apply now\" src=page.title %}",
        "<a href=\"Contact\">Apply now</a>",
    ),
    (
        "the site's include wins over the theme's",
        "{% include button.html %}",
        "<a href=\"\"></a>",
    ),
    (
        "the theme's include when the site has none",
        "{% include header-breadcrumb.html %}",
        "<nav>Contact</nav>",
    ),
    (
        "include in a folder, variable parameter",
        "{% include folder/note.html n=page.n %}",
        "[4]",
    ),
    (
        "include named by a variable",
        "{% assign f = 'button' %}{% include {{ f }}.html text='t' %}",
        "<a href=\"\">t</a>",
    ),
    (
        "link adds the baseurl (Jekyll 4)",
        "{% link pages/about.md %}",
        "/base/about/",
    ),
    (
        "post_url",
        "{% post_url 2017-01-02-news %}",
        "/base/news/2017/news/",
    ),
    (
        "highlight",
        "{% highlight ruby %}\na < b\n{% endhighlight %}",
        "<figure class=\"highlight\"><pre><code class=\"language-ruby\" data-lang=\"ruby\">a &lt; b</code></pre></figure>",
    ),
    // Jekyll URL filters.
    (
        "relative_url",
        "{{ '/about/' | relative_url }}|{{ 'x' | relative_url }}",
        "/base/about/|/base/x",
    ),
    (
        "absolute_url",
        "{{ '/about/' | absolute_url }}",
        "https://agency.gov.sg/base/about/",
    ),
    (
        "relative_url leaves absolute URLs",
        "{{ 'https://x.org/a' | relative_url }}",
        "https://x.org/a",
    ),
    // Jekyll date filters.
    (
        "date_to_string",
        "{{ '2008-11-07' | date_to_string }}",
        "07 Nov 2008",
    ),
    (
        "date_to_string ordinal US",
        "{{ '2008-11-07' | date_to_string: 'ordinal', 'US' }}",
        "Nov 7th, 2008",
    ),
    (
        "date_to_long_string ordinal",
        "{{ '2008-11-01' | date_to_long_string: 'ordinal' }}",
        "1st November 2008",
    ),
    (
        "date_to_xmlschema",
        "{{ '2008-11-07 13:07:54 -0800' | date_to_xmlschema }}",
        "2008-11-07T13:07:54-08:00",
    ),
    (
        "date_to_rfc822",
        "{{ '2008-11-07 13:07:54 -0800' | date_to_rfc822 }}",
        "Fri, 07 Nov 2008 13:07:54 -0800",
    ),
    // Jekyll array filters.
    (
        "where",
        "{{ site.data.people | where: 'team', 'x' | map: 'name' | join: ',' }}",
        "Ada,Cy",
    ),
    (
        "where on an array property",
        "{{ site.data.offices | where: 'tags', 'a' | map: 'name' | join: ',' }}",
        "North",
    ),
    (
        "where_exp",
        "{{ site.data.people | where_exp: 'p', \"p.name contains 'y'\" | map: 'name' | join: ',' }}",
        "Cy",
    ),
    (
        "where_exp contains on a missing key",
        "{{ site.data.offices | where_exp: 'o', \"o.tags contains 'a'\" | size }}",
        "1",
    ),
    (
        "find",
        "{{ site.data.people | find: 'team', 'y' | map: 'name' }}",
        "Bo",
    ),
    (
        "find_exp",
        "{% assign p = site.data.people | find_exp: 'p', \"p.team == 'x'\" %}{{ p.name }}",
        "Ada",
    ),
    (
        "group_by",
        "{% assign g = site.data.people | group_by: 'team' %}{% for x in g %}{{ x.name }}{{ x.size }}{% endfor %}",
        "x2y1",
    ),
    (
        "group_by_exp",
        "{% assign g = site.data.people | group_by_exp: 'p', 'p.name | size' %}{{ g[0].name }}:{{ g[0].size }}|{{ g[1].name }}:{{ g[1].size }}",
        "3:1|2:2",
    ),
    (
        "sort by a property",
        "{{ site.data.people | sort: 'name' | reverse | map: 'name' | join }}",
        "Cy Bo Ada",
    ),
    (
        "sort with nils last",
        "{{ site.data.offices | sort: 'tags', 'last' | map: 'name' | join }}",
        "North South",
    ),
    (
        "push",
        "{{ site.data.offices[0].tags | push: 'c' | join: '' }}",
        "abc",
    ),
    (
        "array_to_sentence_string",
        "{{ site.data.people | map: 'name' | array_to_sentence_string }}",
        "Ada, Bo, and Cy",
    ),
    // Jekyll string filters.
    (
        "jsonify",
        "{{ site.data.offices[0].tags | jsonify }}",
        "[\"a\",\"b\"]",
    ),
    (
        "slugify default",
        "{{ 'The _config.yml file' | slugify }}",
        "the-config-yml-file",
    ),
    (
        "slugify pretty",
        "{{ 'The _config.yml file' | slugify: 'pretty' }}",
        "the-_config.yml-file",
    ),
    (
        "slugify ascii",
        "{{ 'The _cönfig.yml file' | slugify: 'ascii' }}",
        "the-c-nfig-yml-file",
    ),
    (
        "slugify latin",
        "{{ 'The _cönfig.yml file' | slugify: 'latin' }}",
        "the-config-yml-file",
    ),
    (
        "slugify raw",
        "{{ 'The _config.yml file' | slugify: 'raw' }}",
        "the-_config.yml-file",
    ),
    (
        "xml_escape",
        "{{ '<a href=\"x\">&</a>' | xml_escape }}",
        "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;",
    ),
    (
        "cgi_escape",
        "{{ 'foo, bar; baz?' | cgi_escape }}",
        "foo%2C+bar%3B+baz%3F",
    ),
    (
        "uri_escape",
        "{{ 'foo, bar \\\\baz?' | uri_escape }}",
        "foo,%20bar%20%5C%5Cbaz?",
    ),
    (
        "number_of_words",
        "{{ 'one two  three' | number_of_words }}",
        "3",
    ),
    (
        "normalize_whitespace",
        "{{ ' a \n b ' | normalize_whitespace }}",
        "a b",
    ),
    (
        "markdownify",
        "{{ '*x*' | markdownify | strip }}",
        "<p><em>x</em></p>",
    ),
    (
        "inspect",
        "{{ site.data.offices[0].tags | inspect }}",
        "[\"a\", \"b\"]",
    ),
    (
        "include_relative: from the page's folder, with parameters",
        "{% include_relative parts/intro.md who=\"readers\" %}",
        "Intro for readers on Contact",
    ),
    (
        "smartify",
        "{% capture q %}It's \"quoted\"{% endcapture %}{{ q | smartify }}",
        "It\u{2019}s \u{201C}quoted\u{201D}",
    ),
];

#[test]
fn documented_behaviour() {
    let mut failures = Vec::new();
    for (rule, template, expected) in CASES {
        let output = render(template);
        if output.text != *expected || !output.warnings.is_empty() {
            failures.push(format!(
                "{rule}: {template}\n  expected {expected:?}\n  got      {:?} {:?}",
                output.text, output.warnings
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn failing_tags_warn_and_the_rest_renders() {
    // Ruby Liquid's lax render: the failing tag renders nothing, the rest does.
    let output = render("a\n{{ 1 | divided_by: 0 }}\nb{% include missing.html %}c");
    assert_eq!(output.text, "a\n\nbc");
    assert_eq!(output.warnings.len(), 2, "{:?}", output.warnings);
    assert_eq!(output.warnings[0].line, Some(2));
    assert!(output.warnings[0].message.contains("divided by 0"));
    assert!(output.warnings[1].message.contains("missing.html"));
}

#[test]
fn jekyll_include_relative_refuses_other_folders_and_unread_files() {
    for (template, says) in [
        ("{% include_relative ../secrets.md %}", "page's folder"),
        ("{% include_relative /etc/passwd %}", "page's folder"),
        (
            "{% include_relative parts/other.md %}",
            "no file `pages/parts/other.md`",
        ),
    ] {
        let output = render(template);
        assert_eq!(output.text, "", "{template}");
        assert_eq!(
            output.warnings.len(),
            1,
            "{template}: {:?}",
            output.warnings
        );
        assert!(
            output.warnings[0].message.contains(says),
            "{template}: {}",
            output.warnings[0].message
        );
    }
}

#[test]
fn syntax_errors_are_errors_with_their_line_and_file() {
    let page = Value::Nil;
    let engine = engine();
    let error = engine
        .render_page("line one\n{% if %}\n{% endif %}", &[("page", &page)])
        .unwrap_err();
    assert_eq!(error.line, Some(2), "{error:?}");
    let error = engine
        .render_page("a\n\n{% for x in y %}", &[])
        .unwrap_err();
    assert_eq!(error.line, Some(3));
    assert!(error.message.contains("never closed"));
    let error = engine
        .render_page("{% include broken.html %}", &[])
        .unwrap_err();
    assert_eq!(error.file.as_deref(), Some("_includes/broken.html"));
    assert_eq!(error.line, Some(1));
}

fn hostile(template: &str) -> LiquidError {
    let started = Instant::now();
    // A thread with a small stack: the budgets must keep far below it.
    let template = template.to_owned();
    let error = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || engine().render_page(&template, &[]))
        .unwrap()
        .join()
        .expect("the render must not crash")
        .expect_err("the budget must stop it");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    error
}

#[test]
fn budgets_end_hostile_templates_with_a_clear_error() {
    let error = hostile("{% for i in (1..100000000) %}{% endfor %}");
    assert!(error.message.contains("loops ran more than"), "{error:?}");
    assert_eq!(error.line, Some(1));
    let error =
        hostile("x\n{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}");
    assert!(error.message.contains("loops ran more than"), "{error:?}");
    let error = hostile(
        "{% assign s = 'xxxxxxxxxxxxxxxx' %}{% for i in (1..64) %}{% assign s = s | append: s %}{% endfor %}",
    );
    assert!(error.message.contains("MiB"), "{error:?}");
    let error = hostile(
        "{% capture s %}xxxxxxxxxxxxxxxx{% endcapture %}{% for i in (1..64) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}",
    );
    assert!(error.message.contains("MiB"), "{error:?}");
    let error = hostile(
        "{% for i in (1..10) %}{{ i }}{% endfor %}{% for i in (1..100000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ 'y' | append: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' }}{% endfor %}",
    );
    assert!(!error.message.is_empty());
    for (open, close, count) in [
        ("{% for i in (1..1) %}", "{% endfor %}", 5_000),
        ("{% if true %}", "{% endif %}", 20_000),
        ("{% capture c %}", "{% endcapture %}", 10_000),
    ] {
        let template = open.repeat(count) + &close.repeat(count);
        let error = hostile(&template);
        assert!(error.message.contains("nested more than"), "{error:?}");
    }
    let error = hostile("{% include self.html %}");
    assert!(error.message.contains("nest more than"), "{error:?}");
}

#[test]
fn arithmetic_that_overflows_does_not_panic() {
    // liquid-lib's filters panic here; Ruby has big integers.
    assert_eq!(
        render("{{ -9223372036854775808 | divided_by: -1 }}").text,
        "9223372036854775808"
    );
    assert_eq!(render("{{ -9223372036854775808 | modulo: -1 }}").text, "0");
    assert!(
        render("{{ 9223372036854775807 | plus: 1 }}")
            .warnings
            .is_empty()
    );
}

#[test]
fn integers_beyond_64_bits_print_as_ruby_prints_them_and_never_panic() {
    // liquid-core's parser panics on them; Ruby has big integers.
    assert_eq!(
        render("{{ 99999999999999999999 }}").text,
        "99999999999999999999"
    );
    assert_eq!(
        render("{% assign n = -99999999999999999999 %}{% if n %}{{ n }}{% endif %}").text,
        "-99999999999999999999"
    );
    let error = hostile("{% for i in (1..99999999999999999999) %}{{ i }}{% endfor %}");
    assert!(error.message.contains("loops ran more than"), "{error:?}");
}

#[test]
fn the_stylesheet_render_keeps_working() {
    let engine = LiquidEngine::new();
    let page = Value::Nil;
    let text = "$primary: {{- site.colors.primary-color -}};\n{%- for media-color in site.colors.media-colors -%}\n${{- media-color.title -}}: {{- media-color.color -}};\n{%- endfor -%}";
    assert_eq!(
        engine.render(text, &site(), &page).unwrap(),
        "$primary:#123456;$one:#fff;"
    );
}

/// Long plain text is kept out of the parser (`plain_text.rs`); what the
/// reader gets must be what Ruby Liquid renders from the text itself.
#[test]
fn long_plain_text_renders_as_plain_text_does() {
    let prose =
        |n: usize| format!("Paragraph {n} of the page, long enough to be kept out of the parser.");
    let (one, two, three) = (prose(1), prose(2), prose(3));

    // Liquid's whitespace control: `{%-` and `-%}` trim the whitespace
    // beside them, up to the text.
    let trimmed = render(&format!(
        "{one}  \n{{%- if true -%}}  \n {two}\n  {{{{- page.title -}}}}  \n{three}{{% endif %}}"
    ));
    assert_eq!(trimmed.text, format!("{one}{two}Contact{three}"));

    // Every tag around it sees the real text: a loop writes it each time,
    // `capture` holds it (its size counts every character), raw keeps it.
    let looped = render(&format!(
        "{{% for i in (1..3) %}}{one}{{{{ i }}}}{{% endfor %}}"
    ));
    assert_eq!(looped.text, format!("{one}1{one}2{one}3"));
    let captured = render(&format!(
        "{{% capture c %}}{two}{{% endcapture %}}{{{{ c | size }}}}|{{{{ c | upcase }}}}"
    ));
    assert_eq!(
        captured.text,
        format!("{}|{}", two.len(), two.to_uppercase())
    );
    let raw = render(&format!("{{% raw %}}{one}{{{{ x }}}}{{% endraw %}}"));
    assert_eq!(raw.text, format!("{one}{{{{ x }}}}"));

    // A syntax error after many lines of text still names its own line.
    let error = engine()
        .render_page(
            &format!("{one}\n{two}\n\n{three}\n{{% if %}}{{% endif %}}"),
            &[],
        )
        .unwrap_err();
    assert_eq!(error.line, Some(5), "{error:?}");
}

/// The tag that stands for kept-out text is Gazette's own: a page that
/// writes it gets an error, never another stretch of the page's text.
#[test]
fn a_page_cannot_write_the_plain_text_tag() {
    let text = format!(
        "{} {{% gz_text 0 %}}",
        "Text long enough to be kept out of the parser by the source pass."
    );
    let error = engine().render_page(&text, &[]).unwrap_err();
    assert!(error.message.contains("gz_text"), "{error:?}");
    assert_eq!(error.line, Some(1));
}
