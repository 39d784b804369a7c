//! The diagram as an SVG picture, laid out by layout-rs.
//!
//! layout-rs places the boxes and routes the edges (a layered, Sugiyama
//! style layout, here left to right: with names as labels a top-to-bottom
//! layout of a roadmap is many times wider than high). Nothing here
//! computes a coordinate; what this module decides is what goes in and in
//! which order, because layout-rs has limits that a careless input runs
//! into:
//!
//! - It has no clusters. A section is drawn as a coloured header box, and
//!   the section's skills are filled with its colour. The headers have no
//!   edges, so they stand in the first column like a legend: linking a
//!   header to its items would add an edge through every column up to each
//!   item, and those pass-through points made a generated 100-skill
//!   roadmap take 2.8 s instead of 0.1 s.
//! - It panics on a graph without nodes ("Sorting an empty graph"), so a
//!   roadmap without sections is drawn as one box with its title.
//! - It makes the graph acyclic by testing, for each edge in the order
//!   given, whether the edge's target already reaches its source, with a
//!   search that revisits shared descendants (exponential on dense DAGs),
//!   and by default it re-checks every edge that way after each edge added.
//!   So the edges given are acyclic by construction, each pointing forward
//!   in a learning order of the roadmap's skills (where a prerequisite
//!   comes first; a nesting link whose nested item is learnt before the
//!   item it is nested in is given reversed, with any arrowhead at the
//!   start), and sorted by their source in that order, so that each test
//!   ends at once; and the re-checks are switched off
//!   (`DAG::set_validate(false)`). On a generated 100-skill roadmap the
//!   re-checks did not finish in two minutes, and the edges in another
//!   order took 5 s instead of 0.1 s.
//! - Its edge-crossing reduction (50 rounds, each cubic in the width of a
//!   column) takes about 0.1 s (release build) for the 160 edges of the
//!   bundled backend roadmap, 0.5 s for 230 edges of a dense generated one
//!   and 1 s for 390, so above [`OPTIMIZE_EDGES`] edges it is skipped: the
//!   layout stays correct, with more crossings, and takes 0.1 s for 390.
//! - It sizes a box as if every character were as wide as the font is high,
//!   about twice what the font needs, so a box is as wide as layout-rs
//!   makes it for [`SIZE_FONT`]-pixel text, and as high as for the
//!   [`FONT_SIZE`] the text is drawn at.
//! - Its SVG writer lists font styles from a `HashMap`, so every text uses
//!   the one font size and the output stays the same byte for byte.
//!
//! A pair of skills gets one line: a prerequisite and a nesting link
//! between the same two skills would be drawn on top of each other, so the
//! prerequisite is kept.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::model::{Diagram, LinkKind};

/// The one font size of every text (see the module doc); layout-rs's own
/// default, which its connectors use too.
const FONT_SIZE: usize = 15;

/// The character width boxes are sized for (see the module doc).
const SIZE_FONT: usize = 10;

/// The most edges for which layout-rs's edge-crossing reduction runs.
const OPTIMIZE_EDGES: usize = 200;

/// Per section, cycling: (header fill, skill fill, border), as RGBA.
const PALETTE: [(u32, u32, u32); 8] = [
    (0xbfdb_feff, 0xdbea_feff, 0x1d4e_d8ff), // blue
    (0xbbf7_d0ff, 0xdcfc_e7ff, 0x1580_3dff), // green
    (0xfde6_8aff, 0xfef3_c7ff, 0xb453_09ff), // amber
    (0xfecd_d3ff, 0xffe4_e6ff, 0xbe12_3cff), // rose
    (0xddd6_feff, 0xede9_feff, 0x6d28_d9ff), // violet
    (0xa5f3_fcff, 0xcffa_feff, 0x0e74_90ff), // cyan
    (0xd9f9_9dff, 0xecfc_cbff, 0x4d7c_0fff), // lime
    (0xe2e8_f0ff, 0xf1f5_f9ff, 0x3341_55ff), // slate
];

/// Lays `diagram` out with layout-rs and answers the SVG text.
pub(crate) fn write(diagram: &Diagram<'_>) -> String {
    let direction = Orientation::LeftToRight;
    // layout-rs's own DOT builder creates shapes in the flipped orientation
    // (records grow across the rank); boxes follow it.
    let shape_direction = direction.flip();
    let mut graph = VisualGraph::new(direction);
    graph.dag.set_validate(false);

    if diagram.sections.is_empty() {
        let (fill, _, border) = PALETTE[0];
        let look = header_look(fill, border);
        graph.add_node(boxed(diagram.title, look, shape_direction, None));
        return finish(graph, true);
    }

    // Vertices: the section headers, then the skills in roadmap order.
    let headers = diagram.sections.len();
    let mut handles = Vec::with_capacity(headers + diagram.nodes.len());
    for (number, section) in diagram.sections.iter().enumerate() {
        let (fill, _, border) = PALETTE[number % PALETTE.len()];
        let properties = format!("data-section=\"{}\"", number + 1);
        let element = boxed(
            section.title,
            header_look(fill, border),
            shape_direction,
            Some(properties),
        );
        handles.push(graph.add_node(element));
    }
    for node in &diagram.nodes {
        let (_, fill, border) = PALETTE[node.section % PALETTE.len()];
        let look = StyleAttr::new(Color::new(border), 1, Some(Color::new(fill)), 6, FONT_SIZE);
        // Slugs are `[a-z0-9-]`: safe inside an attribute as they are.
        let properties = format!("data-skill=\"{}\"", node.skill.slug.as_str());
        let element = boxed(
            node.skill.name.as_str(),
            look,
            shape_direction,
            Some(properties),
        );
        handles.push(graph.add_node(element));
    }

    // Every edge points forward in a learning order of the skills, the
    // vertex breaking ties, so each edge points one way.
    let place = learning_order(diagram);
    let key = |node: usize| (place[node], node);

    let mut seen = HashSet::new();
    let mut edges = Vec::with_capacity(diagram.links.len());
    for link in &diagram.links {
        let (from, to) = (link.from, link.to);
        if from == to || !seen.insert((from.min(to), from.max(to))) {
            continue;
        }
        let arrow = link_arrow(link.kind);
        if key(from) < key(to) {
            edges.push((key(from), key(to), from, to, arrow));
        } else {
            edges.push((key(to), key(from), to, from, arrow.reverse()));
        }
    }
    edges.sort_by_key(|&(from_key, to_key, ..)| (from_key, to_key));
    let optimize = edges.len() <= OPTIMIZE_EDGES;
    for (_, _, from, to, arrow) in edges {
        graph.add_edge(arrow, handles[headers + from], handles[headers + to]);
    }
    finish(graph, optimize)
}

/// Each skill's place (indexed like [`Diagram::nodes`]) in an order where
/// every prerequisite comes before the skills that need it, ties broken by
/// roadmap order: Kahn's algorithm with a priority queue, as the domain's
/// learning order is, so that the order is the same every time. It is
/// computed over the diagram's own links rather than taken from the
/// catalog, so that any roadmap given gets a right one. A skill on a cycle
/// (which a consistent catalog never has) comes last.
fn learning_order(diagram: &Diagram<'_>) -> Vec<usize> {
    let count = diagram.nodes.len();
    let mut waiting = vec![0usize; count];
    let mut unlocks = vec![Vec::new(); count];
    for link in &diagram.links {
        if link.kind != LinkKind::Nested {
            unlocks[link.from].push(link.to);
            waiting[link.to] += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..count)
        .filter(|&node| waiting[node] == 0)
        .map(Reverse)
        .collect();
    let mut place = vec![usize::MAX; count];
    let mut next = 0;
    while let Some(Reverse(node)) = ready.pop() {
        place[node] = next;
        next += 1;
        for &unlocked in &unlocks[node] {
            waiting[unlocked] -= 1;
            if waiting[unlocked] == 0 {
                ready.push(Reverse(unlocked));
            }
        }
    }
    for slot in place.iter_mut().filter(|slot| **slot == usize::MAX) {
        *slot = next;
        next += 1;
    }
    place
}

/// Runs layout-rs's layout and its SVG writer.
fn finish(mut graph: VisualGraph, optimize: bool) -> String {
    let mut svg = SVGWriter::new();
    graph.do_it(false, !optimize, false, &mut svg);
    svg.finalize()
}

/// How a section header looks: its colours, a thick border, round corners.
fn header_look(fill: u32, border: u32) -> StyleAttr {
    StyleAttr::new(Color::new(border), 3, Some(Color::new(fill)), 14, FONT_SIZE)
}

/// A box with `label`, sized by layout-rs for its text: as high as for
/// [`FONT_SIZE`], as wide as for [`SIZE_FONT`].
fn boxed(
    label: &str,
    look: StyleAttr,
    direction: Orientation,
    properties: Option<String>,
) -> Element {
    let shape = ShapeKind::new_box(label);
    let wide = get_shape_size(direction, &shape, FONT_SIZE, false);
    let narrow = get_shape_size(direction, &shape, SIZE_FONT, false);
    let size = Point::new(narrow.x, wide.y);
    match properties {
        Some(properties) => {
            Element::create_with_properties(shape, look, direction, size, properties)
        }
        None => Element::create(shape, look, direction, size),
    }
}

/// How a link between two skills is drawn: layout-rs draws dotted lines
/// dashed too, so nesting also differs in colour and has no arrowhead.
fn link_arrow(kind: LinkKind) -> Arrow {
    let (style, colour, width, head) = match kind {
        LinkKind::Required => (LineStyleKind::Normal, 0x3341_55ff, 2, true),
        LinkKind::Recommended => (LineStyleKind::Dashed, 0x6474_8bff, 1, true),
        LinkKind::Nested => (LineStyleKind::Dotted, 0xa3a3_a3ff, 1, false),
    };
    let look = StyleAttr::new(Color::new(colour), width, None, 0, FONT_SIZE);
    let end = if head {
        LineEndKind::Arrow
    } else {
        LineEndKind::None
    };
    Arrow::new(LineEndKind::None, end, style, "", &look, &None, &None)
}
