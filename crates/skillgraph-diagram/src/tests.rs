use std::collections::HashSet;
use std::time::Instant;

use layout::gv::{DotParser, GraphBuilder};
use skillgraph_domain::{Catalog, Roadmap, SkillId, Strength};

use crate::{DiagramError, DiagramFormat, dot, mermaid, render};

fn bundled() -> Catalog {
    Catalog::from_bundle(&skillgraph_bundle::bundled().unwrap()).unwrap()
}

fn skills_of(roadmap: &Roadmap) -> Vec<SkillId> {
    roadmap.items().map(|item| item.skill).collect()
}

/// (required, recommended) prerequisite edges with both ends on `roadmap`,
/// counted straight from the catalog.
fn edges_on(catalog: &Catalog, roadmap: &Roadmap) -> (usize, usize) {
    let on: HashSet<SkillId> = skills_of(roadmap).into_iter().collect();
    let (mut required, mut recommended) = (0, 0);
    for &skill in &on {
        for prerequisite in catalog.prerequisites(skill) {
            if on.contains(&prerequisite.requires) {
                match prerequisite.strength {
                    Strength::Required => required += 1,
                    Strength::Recommended => recommended += 1,
                }
            }
        }
    }
    (required, recommended)
}

fn nested_items(roadmap: &Roadmap) -> usize {
    roadmap.items().map(|item| item.children.len()).sum()
}

/// How layout-rs's SVG writer escapes text.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn check_mermaid(catalog: &Catalog, roadmap: &Roadmap) {
    let text = render(catalog, roadmap, DiagramFormat::Mermaid).unwrap();
    assert!(text.lines().any(|line| line == "flowchart LR"), "{text}");
    let subgraphs = text
        .lines()
        .filter(|line| line.trim_start().starts_with("subgraph "))
        .count();
    assert_eq!(subgraphs, roadmap.sections.len());
    let ends = text.lines().filter(|line| line.trim() == "end").count();
    assert_eq!(ends, roadmap.sections.len());

    let skills = skills_of(roadmap);
    for &id in &skills {
        let skill = catalog.skill(id).unwrap();
        let node = format!(
            "{}[\"{}\"]",
            mermaid::node_id(skill.slug.as_str()),
            mermaid::escape(skill.name.as_str())
        );
        let defined = text
            .lines()
            .filter(|line| line.trim() == node.as_str())
            .count();
        assert_eq!(defined, 1, "{node} should be defined once");
    }
    let nodes = text
        .lines()
        .filter(|line| line.starts_with("    s_"))
        .count();
    assert_eq!(nodes, skills.len());

    let (required, recommended) = edges_on(catalog, roadmap);
    assert!(
        required + recommended > 0,
        "the test needs prerequisite edges"
    );
    assert_eq!(text.matches(" --> ").count(), required);
    assert_eq!(text.matches(" -.-> ").count(), recommended);
    assert_eq!(text.matches(" -.- ").count(), nested_items(roadmap));
}

fn check_dot(catalog: &Catalog, roadmap: &Roadmap) {
    let text = render(catalog, roadmap, DiagramFormat::Dot).unwrap();
    assert!(text.starts_with("digraph "), "{text}");
    for (number, section) in roadmap.sections.iter().enumerate() {
        assert!(text.contains(&format!("subgraph \"cluster_{}\" {{", number + 1)));
        assert!(text.contains(&format!(
            "label=\"{}\";",
            dot::escape(section.title.as_str())
        )));
    }
    let skills = skills_of(roadmap);
    for &id in &skills {
        let skill = catalog.skill(id).unwrap();
        let node = format!(
            "\"{}\" [label=\"{}\"];",
            skill.slug.as_str(),
            dot::escape(skill.name.as_str())
        );
        assert_eq!(text.matches(&node).count(), 1, "{node}");
    }
    let (required, recommended) = edges_on(catalog, roadmap);
    assert_eq!(text.matches("[style=\"dashed\"]").count(), recommended);
    let arrows = text.matches(" -> ").count();
    assert_eq!(arrows, required + recommended + nested_items(roadmap));

    // layout-rs reads it back: every skill is one node.
    let mut parser = DotParser::new(&text);
    let ast = parser.process().unwrap();
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&ast);
    assert_eq!(builder.get().num_nodes(), skills.len());
}

fn check_svg(catalog: &Catalog, roadmap: &Roadmap) -> String {
    let text = render(catalog, roadmap, DiagramFormat::Svg).unwrap();
    assert!(text.starts_with("<?xml") || text.starts_with("<svg"));
    assert!(text.contains("<svg "));
    assert!(text.trim_end().ends_with("</svg>"));
    let skills = skills_of(roadmap);
    for &id in &skills {
        let skill = catalog.skill(id).unwrap();
        let name = format!(">{}</tspan>", xml_escape(skill.name.as_str()));
        assert!(text.contains(&name), "{name} is missing");
        let data = format!("data-skill=\"{}\"", skill.slug.as_str());
        assert_eq!(text.matches(&data).count(), 1, "{data}");
    }
    for section in &roadmap.sections {
        let title = format!(">{}</tspan>", xml_escape(section.title.as_str()));
        assert!(text.contains(&title), "{title} is missing");
    }
    // Every prerequisite edge is drawn with one arrowhead; nesting lines
    // have none.
    let (required, recommended) = edges_on(catalog, roadmap);
    let heads = text.matches("marker-end=\"url(#endarrow)\"").count()
        + text.matches("marker-start=\"url(#startarrow)\"").count();
    assert_eq!(heads, required + recommended);
    // One box per skill and one per section header.
    assert_eq!(
        text.matches("<rect").count(),
        skills.len() + roadmap.sections.len()
    );
    assert_eq!(text.matches("<svg").count(), 1);
    assert_eq!(text.matches("</svg>").count(), 1);
    text
}

#[test]
fn the_backend_roadmap_in_every_format() {
    let catalog = bundled();
    let roadmap = catalog.roadmap_by_slug("backend").unwrap();
    assert_eq!(skills_of(roadmap).len(), 77);
    check_mermaid(&catalog, roadmap);
    check_dot(&catalog, roadmap);
    let started = Instant::now();
    let svg = check_svg(&catalog, roadmap);
    println!(
        "backend SVG: {} bytes in {:?}",
        svg.len(),
        started.elapsed()
    );
}

#[test]
fn the_devops_roadmap_in_every_format() {
    let catalog = bundled();
    let roadmap = catalog.roadmap_by_slug("devops").unwrap();
    check_mermaid(&catalog, roadmap);
    check_dot(&catalog, roadmap);
    check_svg(&catalog, roadmap);
}

#[test]
fn every_roadmap_renders_the_same_twice() {
    let catalog = bundled();
    for roadmap in catalog.roadmaps() {
        for format in [
            DiagramFormat::Mermaid,
            DiagramFormat::Dot,
            DiagramFormat::Svg,
        ] {
            let first = render(&catalog, roadmap, format).unwrap();
            let second = render(&catalog, roadmap, format).unwrap();
            assert_eq!(first, second, "{} as {format:?}", roadmap.slug);
        }
    }
}

const MARKUP: &str = r#"format: skillgraph-bundle/1
skills:
  - slug: tags
    name: '<b>Bold</b> & "quoted" #1'
    summary: Markup in a name.
    level: beginner
  - slug: end
    name: C++ `templates` \n
    summary: Characters that mean something to the formats.
    level: beginner
    prerequisites:
      - skill: tags
  - slug: o
    name: 'It''s <script>alert(1)</script>'
    summary: A name that looks like a tag.
    level: beginner
    prerequisites:
      - skill: tags
        strength: recommended
roadmaps:
  - slug: markup
    title: 'Markup & "more"'
    sections:
      - title: '<Section> & "one"'
        items:
          - skill: tags
            children:
              - skill: end
      - title: Two
        items:
          - skill: o
"#;

fn markup() -> Catalog {
    Catalog::from_bundle(&skillgraph_bundle::parse("markup test", MARKUP).unwrap()).unwrap()
}

#[test]
fn markup_in_names_is_escaped() {
    let catalog = markup();
    let roadmap = catalog.roadmap_by_slug("markup").unwrap();

    let text = render(&catalog, roadmap, DiagramFormat::Mermaid).unwrap();
    assert!(text.contains(r##"s_tags["#60;b#62;Bold#60;/b#62; #38; #quot;quoted#quot; #35;1"]"##));
    assert!(text.contains(r#"s_end["C++ #96;templates#96; \n"]"#));
    assert!(text.contains(r#"s_o["It's #60;script#62;alert(1)#60;/script#62;"]"#));
    assert!(text.contains(r##"subgraph section_1["#60;Section#62; #38; #quot;one#quot;"]"##));
    assert!(!text.contains('<') && !text.contains('&') && !text.contains("\"q"));
    check_mermaid(&catalog, roadmap);

    let text = render(&catalog, roadmap, DiagramFormat::Dot).unwrap();
    assert!(text.contains(r#""tags" [label="<b>Bold</b> & \"quoted\" #1"];"#));
    assert!(text.contains(r#""end" [label="C++ `templates` \\n"];"#));
    assert!(text.contains(r#"label="<Section> & \"one\"";"#));
    assert!(text.contains(r#"graph [label="Markup & \"more\"""#));
    check_dot(&catalog, roadmap);

    let text = check_svg(&catalog, roadmap);
    assert!(text.contains("&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot; #1"));
    assert!(text.contains("It&apos;s &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(text.contains("&lt;Section&gt; &amp; &quot;one&quot;"));
    assert!(!text.contains("<b>") && !text.contains("<script") && !text.contains("<Section"));
}

#[test]
fn empty_roadmaps_still_draw() {
    let catalog = markup();
    let mut roadmap = catalog.roadmap_by_slug("markup").unwrap().clone();
    for section in &mut roadmap.sections {
        section.items.clear();
    }
    let text = render(&catalog, &roadmap, DiagramFormat::Svg).unwrap();
    assert_eq!(text.matches("<rect").count(), 2);

    roadmap.sections.clear();
    let text = render(&catalog, &roadmap, DiagramFormat::Mermaid).unwrap();
    assert_eq!(text, "flowchart LR\n");
    let text = render(&catalog, &roadmap, DiagramFormat::Dot).unwrap();
    assert!(text.contains(r#"label="Markup & \"more\"""#), "{text}");
    assert!(DotParser::new(&text).process().is_ok());
    let text = render(&catalog, &roadmap, DiagramFormat::Svg).unwrap();
    assert_eq!(text.matches("<rect").count(), 1);
    assert!(text.contains("Markup &amp; &quot;more&quot;"));
    assert!(text.trim_end().ends_with("</svg>"));
}

#[test]
fn a_skill_outside_the_catalog_is_an_error() {
    let catalog = markup();
    let mut roadmap = catalog.roadmap_by_slug("markup").unwrap().clone();
    roadmap.sections[0].items[0].skill = SkillId(999);
    for format in [
        DiagramFormat::Mermaid,
        DiagramFormat::Dot,
        DiagramFormat::Svg,
    ] {
        assert_eq!(
            render(&catalog, &roadmap, format),
            Err(DiagramError::UnknownSkill {
                roadmap: "markup".into(),
                skill: SkillId(999),
            })
        );
    }
}

#[test]
fn a_roadmap_from_another_catalog_still_lays_out() {
    // A roadmap the catalog does not hold, its order reversed, so that
    // roadmap order and learning order disagree everywhere.
    let catalog = bundled();
    let mut roadmap = catalog.roadmap_by_slug("backend").unwrap().clone();
    roadmap.id = skillgraph_domain::RoadmapId(999);
    roadmap.sections.reverse();
    for section in &mut roadmap.sections {
        section.items.reverse();
    }
    check_svg(&catalog, &roadmap);
}

#[test]
fn large_generated_roadmaps_lay_out() {
    // Dense DAGs (four prerequisites per skill among the twenty before it)
    // are where layout-rs's cycle checks would blow up.
    let catalog =
        Catalog::from_bundle(&skillgraph_bundle::generate::generate(1000, 7).unwrap()).unwrap();
    for roadmap in catalog.roadmaps() {
        let started = Instant::now();
        let svg = check_svg(&catalog, roadmap);
        println!(
            "generated roadmap {} ({} skills): {} bytes in {:?}",
            roadmap.slug,
            skills_of(roadmap).len(),
            svg.len(),
            started.elapsed()
        );
    }
}

#[test]
fn media_types() {
    assert_eq!(
        DiagramFormat::Mermaid.media_type(),
        "text/vnd.mermaid; charset=utf-8"
    );
    assert_eq!(
        DiagramFormat::Dot.media_type(),
        "text/vnd.graphviz; charset=utf-8"
    );
    assert_eq!(DiagramFormat::Svg.media_type(), "image/svg+xml");
}
