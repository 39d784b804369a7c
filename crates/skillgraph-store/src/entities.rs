//! One sea-orm entity per table. These are storage rows, never shown to
//! clients: `convert` turns them into domain values.

pub mod api_token;
pub mod author;
pub mod catalog_state;
pub mod change_log;
pub mod guide;
pub mod guide_relation;
pub mod guide_skill;
pub mod learner_token;
pub mod resource;
pub mod roadmap;
pub mod roadmap_item;
pub mod roadmap_relation;
pub mod roadmap_section;
pub mod skill;
pub mod skill_prerequisite;
pub mod skill_relation;
pub mod skill_status;
