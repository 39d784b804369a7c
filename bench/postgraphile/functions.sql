-- Graph questions for PostGraphile, over skillgraph's own tables.
--
-- Everything here lives in schema `bench`: skillgraph's tables in `public`
-- are only read, never altered, and no index is added. Running this file
-- again replaces the functions in place (idempotent). PostGraphile exposes
--
--   Skill.transitivePrerequisites   every skill needed before a skill, with
--                                   its distance (fewest edges) and strength
--   Query.learningPath(target)      the skills needed to reach a skill over
--                                   required edges, in a learning order
--   Query.searchSkills(query)       up to 10 skills whose name or summary
--                                   match
--
-- Edge table: public.skill_prerequisites (skill_id needs requires_id, with a
-- strength 'required' or 'recommended').

set client_min_messages = warning;

create schema if not exists bench;

-- One skill reached over prerequisite edges. `skill_id` is a virtual
-- foreign key to public.skills, so PostGraphile nests the skill itself.
do $$
begin
  create type bench.prerequisite_link as (
    skill_id integer,
    distance integer,
    strength text
  );
exception when duplicate_object then null;
end
$$;

comment on type bench.prerequisite_link is
  E'@foreignKey (skill_id) references public.skills (id)\n'
  'A skill reached over prerequisite edges: how far (fewest edges, 1 for a '
  'direct edge) and how strongly (required when a chain of required edges '
  'leads there, else recommended).';

-- One step of a learning path.
do $$
begin
  create type bench.learning_step as (
    position integer,
    skill_id integer
  );
exception when duplicate_object then null;
end
$$;

comment on type bench.learning_step is
  E'@foreignKey (skill_id) references public.skills (id)\n'
  'One skill of a learning path and its place in it, from 1.';

-- Every skill needed before `s`, over edges of both strengths.
--
-- The walk keeps (skill, depth) pairs; UNION drops a pair already seen, so a
-- skill is expanded at most once per depth and the walk stays linear in
-- (skills x depth) even where many chains meet. The distance is the least
-- depth. A second walk over required edges only tells the strength.
create or replace function bench.skills_transitive_prerequisites(s public.skills)
returns setof bench.prerequisite_link
language sql
stable
parallel safe
as $$
  with recursive
    reached (skill_id, depth) as (
      select p.requires_id, 1
        from public.skill_prerequisites p
       where p.skill_id = s.id
      union
      select p.requires_id, r.depth + 1
        from reached r
        join public.skill_prerequisites p on p.skill_id = r.skill_id
    ),
    required (skill_id) as (
      select p.requires_id
        from public.skill_prerequisites p
       where p.skill_id = s.id and p.strength = 'required'
      union
      select p.requires_id
        from required r
        join public.skill_prerequisites p on p.skill_id = r.skill_id
       where p.strength = 'required'
    ),
    nearest as (
      select skill_id, min(depth) as distance
        from reached
       group by skill_id
    )
  select n.skill_id,
         n.distance,
         case when q.skill_id is null then 'recommended' else 'required' end
    from nearest n
    left join required q on q.skill_id = n.skill_id
    join public.skills k on k.id = n.skill_id
   order by n.distance, k.slug
$$;

comment on function bench.skills_transitive_prerequisites(public.skills) is
  E'@behavior -connection +list\n'
  'Every skill needed before this one, over required and recommended edges, '
  'nearest first.';

-- The skills needed to reach `target` over required edges, the target last,
-- each after all of its prerequisites.
--
-- The order is by the longest chain of required edges from a skill up to the
-- target, longest first: a prerequisite lies on every chain through the
-- skill that needs it, plus one edge, so it always comes earlier. Ties go
-- by slug. (skillgraph breaks ties by roadmap order instead; both are
-- valid learning orders.)
create or replace function bench.learning_path(target text)
returns setof bench.learning_step
language sql
stable
parallel safe
as $$
  with recursive
    walk (skill_id, depth) as (
      select k.id, 0
        from public.skills k
       where k.slug = target
      union
      select p.requires_id, w.depth + 1
        from walk w
        join public.skill_prerequisites p on p.skill_id = w.skill_id
       where p.strength = 'required'
    ),
    needed as (
      select skill_id, max(depth) as height
        from walk
       group by skill_id
    )
  select (row_number() over (order by n.height desc, k.slug))::integer,
         n.skill_id
    from needed n
    join public.skills k on k.id = n.skill_id
   order by 1
$$;

comment on function bench.learning_path(text) is
  E'@name learning_path\n@behavior -connection +list\n'
  'The skills to learn to reach the target (itself included), over required '
  'prerequisites, each after all of its prerequisites.';

-- Up to 10 skills whose name or summary contain every word of the query
-- (case-insensitive), those matching in the name first.
create or replace function bench.search_skills(query text)
returns setof public.skills
language sql
stable
parallel safe
as $$
  with words as (
    select '%' || replace(replace(replace(w, '\', '\\'), '%', '\%'), '_', '\_') || '%' as pattern
      from regexp_split_to_table(lower(trim(query)), '\s+') as w
     where w <> ''
  )
  select k.*
    from public.skills k
   where exists (select 1 from words)
     and not exists (
       select 1 from words
        where not (k.name ilike words.pattern or k.summary ilike words.pattern)
     )
   order by (select count(*) from words where k.name ilike words.pattern) desc,
            k.slug
   limit 10
$$;

comment on function bench.search_skills(text) is
  E'@name search_skills\n@behavior -connection +list\n'
  'Up to 10 skills whose name or summary contain every word of the query, '
  'name matches first.';
