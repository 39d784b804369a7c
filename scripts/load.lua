-- wrk script for scripts/load: mixed reads and writes against /graphql.
--
-- Nine requests in ten are reads (a nested roadmap, a search, a skill page
-- with transitive prerequisites); one in ten is a write with an editor's
-- token (TOKEN in the environment): create a skill, add a prerequisite edge
-- between two of this thread's kept skills in either direction (some close
-- a cycle and must be refused), or delete one of this thread's older
-- skills, so the catalog grows slowly and memory can be judged.
--
-- wrk does not tell which request a response answers, so every write names
-- itself in its alias and the answer carries that name back. The alias of
-- each write sent and of each write acknowledged is recorded, and done()
-- writes them to ACKED_FILE (`sent ALIAS`, `acked ALIAS`) for the
-- load-check binary to look up in the database. A write still in flight
-- when wrk stops may have been applied without being acknowledged, so a
-- skill whose delete was sent may be gone.

local token = os.getenv("TOKEN") or ""
local acked_file = os.getenv("ACKED_FILE") or "acked.txt"
local threads = {}
local counter = 0

local NESTED = [[query Nested($slug: String!) { roadmap(slug: $slug) { title sections { title items { skill { slug name prerequisites { skill { slug } } resources { url } guides { slug } } children { skill { slug } } } } } }]]
local SEARCH = [[query Search($q: String!) { search(query: $q, first: 10) { totalCount edges { node { score } } } }]]
local SKILL = [[query Skill($slug: String!) { skill(slug: $slug) { name prerequisites(transitive: true) { distance skill { slug } } } }]]

local ROADMAPS = { "backend", "devops" }
local WORDS = { "git", "kubernets", "sql", "api", "postgre", "cache" }
local SKILLS = { "docker", "kubernetes", "postgresql", "rest", "git" }
-- How many of its own newest skills a thread keeps; older ones are
-- deleted, except every KEEP-th, which edges connect.
local WINDOW = 40
local KEEP = 4

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  created = 0
  acked = {}
  sent = {}
  server_errors = 0
  refused = 0
  answered = 0
  math.randomseed(id * 7919)
end

local function post(query, variables, write)
  local headers = { ["Content-Type"] = "application/json" }
  if write then
    headers["Authorization"] = "Bearer " .. token
  end
  local quoted = (query:gsub("\\", "\\\\"):gsub('"', '\\"'))
  local body = '{"query":"' .. quoted .. '","variables":' .. variables .. "}"
  return wrk.format("POST", nil, headers, body)
end

local function slug(k)
  return "load-" .. id .. "-" .. k
end

local function write()
  local kind = n % 30
  if kind == 0 and created > WINDOW and (created - WINDOW) % KEEP ~= 0 then
    local k = created - WINDOW
    local alias = string.format("delete__%d__%d", id, k)
    return post(string.format(
      'mutation { %s: deleteSkill(input: {skill: "%s", cascade: true}) { catalogVersion } }',
      alias, slug(k)), "{}", true), alias
  elseif kind == 20 and created >= 2 * KEEP then
    local keepers = math.floor(created / KEEP)
    local a = KEEP * math.random(1, keepers)
    local b = KEEP * math.random(1, keepers)
    if a == b then return nil end
    local alias = string.format("edge__%d__%d__%d", id, a, b)
    return post(string.format(
      'mutation { %s: addPrerequisite(input: {skill: "%s", requires: "%s"}) { catalogVersion } }',
      alias, slug(a), slug(b)), "{}", true), alias
  end
  created = created + 1
  local alias = string.format("create__%d__%d", id, created)
  return post(string.format(
    'mutation { %s: createSkill(input: {slug: "%s", name: "Load %d %d", summary: "Made by the load script.", level: BEGINNER}) { catalogVersion } }',
    alias, slug(created), id, created), "{}", true), alias
end

function request()
  n = n + 1
  if n % 10 == 0 then
    local r, alias = write()
    if r then
      table.insert(sent, alias)
      return r
    end
  end
  local pick = n % 3
  if pick == 0 then
    return post(SEARCH, '{"q":"' .. WORDS[n % #WORDS + 1] .. '"}', false)
  elseif pick == 1 then
    return post(SKILL, '{"slug":"' .. SKILLS[n % #SKILLS + 1] .. '"}', false)
  end
  return post(NESTED, '{"slug":"' .. ROADMAPS[n % #ROADMAPS + 1] .. '"}', false)
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 500 then
    server_errors = server_errors + 1
    return
  end
  local name = body:match('^{"data":{"(%a+__[%d_]+)":{')
  if name then
    table.insert(acked, name)
  elseif body:find('"errors"', 1, true) then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(acked_file, "w"))
  local errors, refusals, answers = 0, 0, 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("server_errors")
    refusals = refusals + thread:get("refused")
    answers = answers + thread:get("answered")
    for _, name in ipairs(thread:get("sent")) do
      out:write("sent ", name, "\n")
    end
    for _, name in ipairs(thread:get("acked")) do
      out:write("acked ", name, "\n")
    end
  end
  out:close()
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "wrk: %d requests in %.1f s (%.0f req/s), p50 %.2f ms, p99 %.2f ms, %d 5xx, %d refused, %d socket errors\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, refusals,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
