//! What a node's legend says about it, read by meaning rather than by
//! spelling: real exports write the same legend five ways ("Personal
//! Recommendation / Opinion", "Alternative Option - Pick this or Purple",
//! "Order in Roadmap not Strict - Learn anytime", …).
//!
//! A label is read word by word, case, punctuation and spacing aside:
//! "alternative" or "pick this" is an alternative; "not strict" or "learn
//! any time" is order-not-strict; "optional" is optional; "recommend…" or
//! "opinion" is recommended. Where the label says none of these, the
//! legend's colour decides: first the colour that labelled legends of the
//! same roadmap have (a roadmap draws one legend in one colour), then the
//! editor's convention (purple recommended, green alternative, grey order
//! not strict). What is still unknown is read as recommended, with one
//! warning per distinct label.

use std::collections::HashMap;

use skillgraph_domain::Recommendation;

/// One node's legend as the export has it.
#[derive(Debug, Clone, Default)]
pub(crate) struct LegendMark {
    /// The legend's label, on one line.
    pub label: String,
    /// Its colour, e.g. `#874efe`, when it has one.
    pub color: Option<String>,
}

/// The words of a label, lower-cased, without punctuation.
fn words(label: &str) -> Vec<String> {
    label
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// What a label says, when it says one of the four things.
pub(crate) fn by_meaning(label: &str) -> Option<Recommendation> {
    let words = words(label);
    let has = |w: &str| words.iter().any(|x| x == w);
    let starts = |p: &str| words.iter().any(|x| x.starts_with(p));
    let joined = words.join(" ");
    if has("alternative") || has("alternatives") || joined.contains("pick this") {
        Some(Recommendation::Alternative)
    } else if joined.contains("not strict")
        || joined.contains("learn anytime")
        || joined.contains("learn any time")
        || has("anytime")
    {
        Some(Recommendation::OrderNotStrict)
    } else if has("optional") {
        Some(Recommendation::Optional)
    } else if starts("recommend") || has("opinion") {
        Some(Recommendation::Recommended)
    } else {
        None
    }
}

/// A colour as `(hue in degrees, saturation, lightness)`, from `#rgb` or `#rrggbb`.
fn hsl(color: &str) -> Option<(f64, f64, f64)> {
    let hex = color.trim().strip_prefix('#')?;
    let channel = |s: &str| u8::from_str_radix(s, 16).ok().map(|v| f64::from(v) / 255.0);
    let (r, g, b) = match hex.len() {
        6 => (
            channel(&hex[0..2])?,
            channel(&hex[2..4])?,
            channel(&hex[4..6])?,
        ),
        3 => {
            let twice = |i: usize| channel(&hex[i..=i].repeat(2));
            (twice(0)?, twice(1)?, twice(2)?)
        }
        _ => return None,
    };
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let lightness = (max + min) / 2.0;
    let delta = max - min;
    if delta < f64::EPSILON {
        return Some((0.0, 0.0, lightness));
    }
    let saturation = delta / (1.0 - (2.0 * lightness - 1.0).abs());
    let hue = if (max - r).abs() < f64::EPSILON {
        60.0 * ((g - b) / delta).rem_euclid(6.0)
    } else if (max - g).abs() < f64::EPSILON {
        60.0 * ((b - r) / delta + 2.0)
    } else {
        60.0 * ((r - g) / delta + 4.0)
    };
    Some((hue, saturation, lightness))
}

/// The editor's convention for a colour: purple recommended, green
/// alternative, grey order not strict; `None` for any other colour.
pub(crate) fn by_hue(color: &str) -> Option<Recommendation> {
    let (hue, saturation, _) = hsl(color)?;
    if saturation < 0.15 {
        Some(Recommendation::OrderNotStrict)
    } else if (75.0..=165.0).contains(&hue) {
        Some(Recommendation::Alternative)
    } else if (245.0..=300.0).contains(&hue) {
        Some(Recommendation::Recommended)
    } else {
        None
    }
}

/// A legend label nothing could read, with how many nodes carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unmatched {
    /// The label as written (empty when the legend has none).
    pub label: String,
    /// The first node that carries it, by its index in the marks.
    pub first: usize,
    /// How many nodes carry it.
    pub nodes: usize,
}

/// Reads every mark of one roadmap: a recommendation for each (recommended
/// where nothing could be read), and the labels nothing could read, once
/// each.
pub(crate) fn resolve(marks: &[LegendMark]) -> (Vec<Recommendation>, Vec<Unmatched>) {
    let colour_key = |c: &String| c.trim().to_ascii_lowercase();
    // The colours the roadmap's own labelled legends have; a colour used
    // for two meanings teaches nothing.
    let mut learnt: HashMap<String, Option<Recommendation>> = HashMap::new();
    for mark in marks {
        if let (Some(meaning), Some(color)) = (by_meaning(&mark.label), &mark.color) {
            learnt
                .entry(colour_key(color))
                .and_modify(|known| {
                    if *known != Some(meaning) {
                        *known = None;
                    }
                })
                .or_insert(Some(meaning));
        }
    }
    let mut unmatched: Vec<Unmatched> = Vec::new();
    let read = marks
        .iter()
        .enumerate()
        .map(|(index, mark)| {
            let by_colour = || {
                let color = mark.color.as_ref()?;
                learnt
                    .get(&colour_key(color))
                    .copied()
                    .flatten()
                    .or_else(|| by_hue(color))
            };
            by_meaning(&mark.label)
                .or_else(by_colour)
                .unwrap_or_else(|| {
                    match unmatched.iter_mut().find(|u| u.label == mark.label) {
                        Some(known) => known.nodes += 1,
                        None => unmatched.push(Unmatched {
                            label: mark.label.clone(),
                            first: index,
                            nodes: 1,
                        }),
                    }
                    Recommendation::Recommended
                })
        })
        .collect();
    (read, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_read_by_what_they_say_however_they_are_spelt() {
        use Recommendation::*;
        for (label, expected) in [
            ("Personal Recommendation / Opinion", Some(Recommended)),
            ("personal  recommendation-opinion", Some(Recommended)),
            ("Recommended", Some(Recommended)),
            (
                "Alternative Option / Pick this or purple",
                Some(Alternative),
            ),
            (
                "Alternative Option - Pick this or Purple",
                Some(Alternative),
            ),
            ("ALTERNATIVE", Some(Alternative)),
            ("Order not strict / Learn anytime", Some(OrderNotStrict)),
            (
                "Order in Roadmap not Strict - Learn anytime",
                Some(OrderNotStrict),
            ),
            ("order-not-strict", Some(OrderNotStrict)),
            ("Optional", Some(Optional)),
            ("Background", None),
            ("", None),
        ] {
            assert_eq!(by_meaning(label), expected, "{label:?}");
        }
    }

    #[test]
    fn a_colour_decides_where_the_label_says_nothing() {
        assert_eq!(by_hue("#874efe"), Some(Recommendation::Recommended));
        assert_eq!(by_hue("#4f7a28"), Some(Recommendation::Alternative));
        assert_eq!(by_hue("#999999"), Some(Recommendation::OrderNotStrict));
        assert_eq!(by_hue("#fff"), Some(Recommendation::OrderNotStrict));
        assert_eq!(by_hue("#ff0000"), None);
        assert_eq!(by_hue("purple"), None);

        let mark = |label: &str, color: Option<&str>| LegendMark {
            label: label.into(),
            color: color.map(Into::into),
        };
        // The roadmap's own legend teaches its colour, even an unusual one.
        let (read, unmatched) = resolve(&[
            mark("Pick this one", Some("#E5A000")),
            mark("", Some("#e5a000")),
            mark("Mystery", None),
            mark("Mystery", Some("#ff0000")),
            mark("Other mystery", None),
        ]);
        assert_eq!(
            read,
            [
                Recommendation::Alternative,
                Recommendation::Alternative,
                Recommendation::Recommended,
                Recommendation::Recommended,
                Recommendation::Recommended,
            ]
        );
        assert_eq!(
            unmatched,
            [
                Unmatched {
                    label: "Mystery".into(),
                    first: 2,
                    nodes: 2
                },
                Unmatched {
                    label: "Other mystery".into(),
                    first: 4,
                    nodes: 1
                },
            ]
        );
    }
}
