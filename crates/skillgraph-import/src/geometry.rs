//! Boxes of the roadmap.sh editor's nodes, and the few geometric questions
//! the import asks of them: which boxes touch, stack into a column, hold
//! another's centre, or lie along a drawn line.

use serde_json::Value;

/// How far apart (in editor pixels) two boxes may be and still count as
/// touching: the editor snaps loosely, and hand-placed nodes are rarely flush.
pub(crate) const TOLERANCE: f64 = 10.0;

/// A node's box on the page, `x`/`y` its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

/// The size the editor draws a node of this type at when the file gives
/// none (its usual size in real exports).
pub(crate) fn default_size(node_type: &str) -> (f64, f64) {
    match node_type {
        "topic" => (200.0, 49.0),
        "subtopic" => (160.0, 49.0),
        "title" => (200.0, 68.0),
        "label" => (120.0, 36.0),
        "paragraph" => (300.0, 100.0),
        "button" => (150.0, 49.0),
        "linksgroup" | "legend" => (300.0, 150.0),
        "section" => (200.0, 200.0),
        "vertical" => (20.0, 100.0),
        "horizontal" => (100.0, 20.0),
        _ => (150.0, 49.0),
    }
}

/// A positive size from a number or a CSS length such as `"120px"`.
fn size_value(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().trim_end_matches("px").trim().parse().ok()?,
        _ => return None,
    };
    (n.is_finite() && n > 0.0).then_some(n)
}

/// One dimension (`width` or `height`) wherever the editor saved it: on the
/// node, in `measured`, or in `style`.
fn dimension(raw: &Value, key: &str) -> Option<f64> {
    size_value(raw.get(key))
        .or_else(|| size_value(raw.get("measured").and_then(|m| m.get(key))))
        .or_else(|| size_value(raw.get("style").and_then(|s| s.get(key))))
}

fn coordinate(raw: &Value, key: &str) -> f64 {
    raw.get("position")
        .and_then(|p| p.get(key))
        .and_then(Value::as_f64)
        .filter(|n| n.is_finite())
        .unwrap_or(0.0)
}

impl Rect {
    /// The box of an editor node: its `position`, and its size wherever
    /// saved, else the type's usual size.
    pub(crate) fn of(raw: &Value, node_type: &str) -> Self {
        let (width, height) = default_size(node_type);
        Self {
            x: coordinate(raw, "x"),
            y: coordinate(raw, "y"),
            width: dimension(raw, "width").unwrap_or(width),
            height: dimension(raw, "height").unwrap_or(height),
        }
    }

    pub(crate) fn right(&self) -> f64 {
        self.x + self.width
    }

    pub(crate) fn bottom(&self) -> f64 {
        self.y + self.height
    }

    pub(crate) fn centre(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    pub(crate) fn area(&self) -> f64 {
        self.width * self.height
    }

    /// The empty space between the boxes across and down (0 where they overlap).
    fn gaps(&self, other: &Self) -> (f64, f64) {
        let dx = (other.x - self.right())
            .max(self.x - other.right())
            .max(0.0);
        let dy = (other.y - self.bottom())
            .max(self.y - other.bottom())
            .max(0.0);
        (dx, dy)
    }

    /// Shortest distance between the two boxes, 0 when they touch or overlap.
    pub(crate) fn distance(&self, other: &Self) -> f64 {
        let (dx, dy) = self.gaps(other);
        dx.hypot(dy)
    }

    /// Whether the boxes share some width (more than a pixel): one is above the other.
    pub(crate) fn overlaps_x(&self, other: &Self) -> bool {
        self.right().min(other.right()) - self.x.max(other.x) > 1.0
    }

    /// Whether a point lies inside the box (edges included).
    pub(crate) fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x && x <= self.right() && y >= self.y && y <= self.bottom()
    }

    /// Whether the other box's centre is inside this one.
    pub(crate) fn holds(&self, other: &Self) -> bool {
        self.contains(other.centre())
    }
}

/// Whether two boxes stack into one column: they share width and one
/// touches or overlaps the other vertically (within [`TOLERANCE`]).
pub(crate) fn stacked(a: &Rect, b: &Rect) -> bool {
    a.overlaps_x(b) && a.gaps(b).1 <= TOLERANCE
}

/// Whether `heading` sits directly on top of `below`: sharing width, its
/// bottom within [`TOLERANCE`] of `below`'s top, and its centre higher.
pub(crate) fn heads(heading: &Rect, below: &Rect) -> bool {
    heading.overlaps_x(below)
        && heading.centre().1 < below.centre().1
        && (below.y - heading.bottom()).abs() <= TOLERANCE
}

/// The boxes a line node's drawn line runs through or ends at (within
/// [`TOLERANCE`]), in order along it: top to bottom for a vertical line, left
/// to right for a horizontal one. The line is drawn along the middle of the
/// node's box.
pub(crate) fn along_line(line: &Rect, vertical: bool, boxes: &[(usize, Rect)]) -> Vec<usize> {
    let (cx, cy) = line.centre();
    let mut on: Vec<(f64, usize)> = boxes
        .iter()
        .filter(|(_, b)| {
            if vertical {
                cx >= b.x - TOLERANCE
                    && cx <= b.right() + TOLERANCE
                    && line.y <= b.bottom() + TOLERANCE
                    && line.bottom() >= b.y - TOLERANCE
            } else {
                cy >= b.y - TOLERANCE
                    && cy <= b.bottom() + TOLERANCE
                    && line.x <= b.right() + TOLERANCE
                    && line.right() >= b.x - TOLERANCE
            }
        })
        .map(|(n, b)| (if vertical { b.centre().1 } else { b.centre().0 }, *n))
        .collect();
    on.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    on.into_iter().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rect(x: f64, y: f64, width: f64, height: f64) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn the_size_is_read_wherever_the_editor_saved_it() {
        let top = json!({"position": {"x": 5, "y": 7}, "width": 120, "height": 40});
        assert_eq!(Rect::of(&top, "topic"), rect(5.0, 7.0, 120.0, 40.0));
        let measured =
            json!({"position": {"x": 0, "y": 0}, "measured": {"width": 90, "height": 30}});
        assert_eq!(Rect::of(&measured, "topic"), rect(0.0, 0.0, 90.0, 30.0));
        let style = json!({"position": {"x": 0, "y": 0}, "style": {"width": "80px", "height": 33}});
        assert_eq!(Rect::of(&style, "topic"), rect(0.0, 0.0, 80.0, 33.0));
        // Mixed: width on the node, height only in the style; a zero width is no width.
        let mixed = json!({"position": {"x": 1, "y": 2}, "width": 0, "style": {"height": 60}});
        assert_eq!(Rect::of(&mixed, "subtopic"), rect(1.0, 2.0, 160.0, 60.0));
        let bare = json!({"position": {"x": 1, "y": 2}});
        assert_eq!(Rect::of(&bare, "vertical"), rect(1.0, 2.0, 20.0, 100.0));
        assert_eq!(
            Rect::of(&json!({}), "horizontal"),
            rect(0.0, 0.0, 100.0, 20.0)
        );
    }

    #[test]
    fn box_distance_is_zero_when_boxes_overlap_and_not_corner_distance() {
        let wide = rect(0.0, 0.0, 400.0, 50.0);
        let below_right = rect(350.0, 80.0, 100.0, 50.0);
        assert_eq!(wide.distance(&below_right), 30.0);
        assert_eq!(wide.distance(&rect(100.0, 10.0, 10.0, 10.0)), 0.0);
        assert_eq!(
            rect(0.0, 0.0, 10.0, 10.0).distance(&rect(13.0, 14.0, 5.0, 5.0)),
            5.0
        );
    }

    #[test]
    fn columns_stack_within_the_tolerance_and_share_width() {
        let top = rect(0.0, 0.0, 100.0, 49.0);
        assert!(stacked(&top, &rect(20.0, 55.0, 100.0, 49.0)));
        assert!(stacked(&rect(20.0, 55.0, 100.0, 49.0), &top));
        assert!(
            !stacked(&top, &rect(20.0, 70.0, 100.0, 49.0)),
            "too far down"
        );
        assert!(
            !stacked(&top, &rect(100.0, 49.0, 100.0, 49.0)),
            "side by side"
        );
    }

    #[test]
    fn a_heading_sits_directly_above() {
        let heading = rect(0.0, 0.0, 100.0, 30.0);
        assert!(heads(&heading, &rect(10.0, 35.0, 100.0, 49.0)));
        assert!(heads(&heading, &rect(10.0, 25.0, 100.0, 49.0)));
        assert!(!heads(&heading, &rect(10.0, 45.0, 100.0, 49.0)));
        assert!(!heads(&rect(10.0, 35.0, 100.0, 49.0), &heading));
    }

    #[test]
    fn a_line_orders_the_boxes_it_runs_through() {
        let boxes = [
            (0, rect(0.0, 200.0, 100.0, 50.0)),
            (1, rect(0.0, 0.0, 100.0, 50.0)),
            (2, rect(300.0, 100.0, 100.0, 50.0)),
            (3, rect(0.0, 400.0, 100.0, 50.0)),
        ];
        // Vertical, centred at x = 50, from y = 55 to 195: ends within the tolerance.
        let vertical = rect(40.0, 55.0, 20.0, 140.0);
        assert_eq!(along_line(&vertical, true, &boxes), [1, 0]);
        let horizontal = rect(100.0, 115.0, 200.0, 20.0);
        assert_eq!(along_line(&horizontal, false, &boxes), [2]);
        let across = rect(-50.0, 15.0, 500.0, 20.0);
        assert_eq!(along_line(&across, false, &boxes), [1]);
    }
}
