// Relay's view of the example operations: the nested roadmap, a skill that
// can refetch itself through node(id:), and the skills list paged with
// @connection. relay-compiler checks them against schema.graphql.
import { graphql } from 'relay-runtime';

export const roadmapQuery = graphql`
  query RoadmapPageQuery($slug: String!) {
    roadmap(slug: $slug) {
      id
      title
      sections {
        id
        title
        items {
          id
          recommendation
          skill {
            ...RoadmapPageSkill_skill
          }
        }
      }
    }
  }
`;

export const skillFragment = graphql`
  fragment RoadmapPageSkill_skill on Skill @refetchable(queryName: "RoadmapPageSkillRefetchQuery") {
    id
    slug
    name
    prerequisites {
      strength
      skill {
        slug
      }
    }
  }
`;

export const skillsFragment = graphql`
  fragment RoadmapPageSkills_query on Query
  @argumentDefinitions(first: { type: "Int", defaultValue: 20 }, after: { type: "String" })
  @refetchable(queryName: "RoadmapPageSkillsPaginationQuery") {
    skills(first: $first, after: $after) @connection(key: "RoadmapPageSkills_skills") {
      totalCount
      edges {
        node {
          id
          slug
          name
        }
      }
    }
  }
`;

export const skillsQuery = graphql`
  query RoadmapPageSkillsQuery {
    ...RoadmapPageSkills_query
  }
`;

export const addPrerequisite = graphql`
  mutation RoadmapPageAddPrerequisiteMutation($input: AddPrerequisiteInput!) {
    addPrerequisite(input: $input) {
      catalogVersion
      skill {
        ...RoadmapPageSkill_skill
      }
    }
  }
`;
