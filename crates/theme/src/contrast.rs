//! Readable text over a site's own colours. Agencies pick their primary
//! colour for their brand, not for contrast: white text on a light orange
//! band, or orange links on white, fall below WCAG's 4.5:1. The theme keeps
//! the colour for backgrounds and borders and takes its text colours from
//! here.

/// WCAG 2.1's contrast for normal text (level AA).
const MIN_TEXT_CONTRAST: f64 = 4.5;

/// Near-black text, for backgrounds too light for white.
const DARK_TEXT: &str = "#1a1a1a";

/// White or near-black, whichever reads on `background` (white when both
/// do); `None` for a colour that is not hex (`rgb(…)`, a name), which the
/// theme leaves to its defaults.
pub fn text_on(background: &str) -> Option<&'static str> {
    let background = hex_rgb(background)?;
    let on_white = contrast(background, [1.0; 3]);
    if on_white >= MIN_TEXT_CONTRAST {
        return Some("#fff");
    }
    let dark = hex_rgb(DARK_TEXT)?;
    Some(if contrast(background, dark) > on_white {
        DARK_TEXT
    } else {
        "#fff"
    })
}

/// `color`, darkened as little as needed to read as text on white (links,
/// headings in the site's colour); `None` for a colour that is not hex.
pub fn readable_on_white(color: &str) -> Option<String> {
    let rgb = hex_rgb(color)?;
    // Steps of 1 % towards black end at black, which always reads.
    (0..=100)
        .map(|step| {
            let keep = 1.0 - f64::from(step) / 100.0;
            rgb.map(|channel| channel * keep)
        })
        .find(|darker| contrast(*darker, [1.0; 3]) >= MIN_TEXT_CONTRAST)
        .map(|darker| {
            let [r, g, b] = darker.map(|channel| (channel * 255.0).round() as u8);
            format!("#{r:02x}{g:02x}{b:02x}")
        })
}

/// `#rgb`, `#rrggbb` (and their alpha forms, alpha ignored) as sRGB in 0..=1.
fn hex_rgb(color: &str) -> Option<[f64; 3]> {
    let hex = color.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |text: &str| {
        u8::from_str_radix(text, 16)
            .ok()
            .map(|v| f64::from(v) / 255.0)
    };
    let doubled = |c: char| format!("{c}{c}");
    let chars: Vec<char> = hex.chars().collect();
    let [r, g, b] = match chars.len() {
        3 | 4 => [doubled(chars[0]), doubled(chars[1]), doubled(chars[2])],
        6 | 8 => [&hex[0..2], &hex[2..4], &hex[4..6]].map(str::to_owned),
        _ => return None,
    };
    Some([channel(&r)?, channel(&g)?, channel(&b)?])
}

/// WCAG's relative luminance of an sRGB colour.
fn luminance(rgb: [f64; 3]) -> f64 {
    let [r, g, b] = rgb.map(|c| {
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

/// WCAG's contrast ratio of two colours, from 1 to 21.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_reads_on_dark_colours_and_near_black_on_light_ones() {
        assert_eq!(text_on("#2e4b9e"), Some("#fff"));
        assert_eq!(
            text_on("#f65819"),
            Some(DARK_TEXT),
            "white on this orange is 3.2:1"
        );
        assert_eq!(text_on("#FFF"), Some(DARK_TEXT));
        assert_eq!(text_on("rebeccapurple"), None);
    }

    #[test]
    fn a_light_colour_is_darkened_just_enough_to_read_on_white() {
        assert_eq!(readable_on_white("#2e4b9e").as_deref(), Some("#2e4b9e"));
        let darker = readable_on_white("#f65819").expect("a hex colour");
        assert_ne!(darker, "#f65819");
        let rgb = hex_rgb(&darker).unwrap();
        assert!(contrast(rgb, [1.0; 3]) >= MIN_TEXT_CONTRAST, "{darker}");
        assert!(
            contrast(rgb, [1.0; 3]) < 5.5,
            "no darker than needed: {darker}"
        );
        assert_eq!(
            readable_on_white("#fff").as_deref(),
            Some("#757575"),
            "white becomes a grey that reads"
        );
    }
}
