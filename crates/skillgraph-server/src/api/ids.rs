//! Opaque global ids: `base64url("Skill:42")`. Clients must treat them as
//! opaque; we keep the storage id inside so a slug may change without
//! breaking a stored id.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use skillgraph_domain::{AuthorId, GuideId, ItemId, ResourceId, RoadmapId, SectionId, SkillId};

use super::error::ApiError;

/// A decoded global id: which kind of node, and its storage id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeId {
    /// A skill.
    Skill(SkillId),
    /// A roadmap.
    Roadmap(RoadmapId),
    /// A guide.
    Guide(GuideId),
    /// An author.
    Author(AuthorId),
    /// A resource.
    Resource(ResourceId),
    /// A section of a roadmap.
    Section(SectionId),
    /// An item of a roadmap.
    Item(ItemId),
}

impl NodeId {
    /// The opaque form clients see.
    pub fn encode(self) -> ID {
        let mut out = Vec::with_capacity(32);
        self.encode_into(&mut out);
        ID(String::from_utf8(out).unwrap_or_default())
    }

    /// Appends the opaque form to `out` without allocating: how both
    /// executors spell an id (the planned one writes it straight into an
    /// answer).
    pub fn encode_into(self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        let (kind, id) = match self {
            Self::Skill(id) => ("Skill", id.0),
            Self::Roadmap(id) => ("Roadmap", id.0),
            Self::Guide(id) => ("Guide", id.0),
            Self::Author(id) => ("Author", id.0),
            Self::Resource(id) => ("Resource", id.0),
            Self::Section(id) => ("RoadmapSection", id.0),
            Self::Item(id) => ("RoadmapItem", id.0),
        };
        // The longest kind (14 bytes), a colon and an i64 (20) fit in 40.
        let mut plain = [0u8; 40];
        let mut rest = &mut plain[..];
        let _ = write!(rest, "{kind}:{id}");
        let written = 40 - rest.len();
        let mut encoded = [0u8; 56];
        let len = URL_SAFE_NO_PAD
            .encode_slice(&plain[..written], &mut encoded)
            .unwrap_or(0);
        out.extend_from_slice(&encoded[..len]);
    }

    /// Reads an opaque id; anything we did not hand out is BAD_USER_INPUT.
    pub fn decode(id: &str) -> Result<Self, ApiError> {
        let malformed = || ApiError::bad_input(format!("`{id}` is not a valid node id"));
        let bytes = URL_SAFE_NO_PAD
            .decode(id.trim_end_matches('='))
            .map_err(|_| malformed())?;
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        let (kind, number) = text.split_once(':').ok_or_else(malformed)?;
        let number: i64 = number.parse().map_err(|_| malformed())?;
        if number <= 0 || number.to_string().len() != text.len() - kind.len() - 1 {
            return Err(malformed());
        }
        match kind {
            "Skill" => Ok(Self::Skill(SkillId(number))),
            "Roadmap" => Ok(Self::Roadmap(RoadmapId(number))),
            "Guide" => Ok(Self::Guide(GuideId(number))),
            "Author" => Ok(Self::Author(AuthorId(number))),
            "Resource" => Ok(Self::Resource(ResourceId(number))),
            "RoadmapSection" => Ok(Self::Section(SectionId(number))),
            "RoadmapItem" => Ok(Self::Item(ItemId(number))),
            _ => Err(malformed()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_refused() {
        let id = NodeId::Skill(SkillId(42));
        assert_eq!(NodeId::decode(&id.encode()).unwrap(), id);
        for bad in [
            "",
            "nope",
            "U2tpbGw6",
            "U2tpbGw6YQ",
            "VXNlcjox",
            "U2tpbGw6MDQy",
        ] {
            assert!(NodeId::decode(bad).is_err(), "{bad}");
        }
    }
}
