-- Participatory budgets: an envelope in the municipality's currency, the projects residents choose
-- from, and one ballot per verified resident. The database itself refuses a ballot from someone
-- not verified, a second ballot row for one person, and any change to a ballot once voting has
-- closed, so that a vote cast is neither lost nor rewritten whatever the application does.

CREATE TABLE IF NOT EXISTS budgets (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  process_id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  -- knapsack: spread the envelope over projects; approval: pick between min and max projects.
  kind text NOT NULL CHECK (kind IN ('knapsack', 'approval')),
  -- Integer minor units of the municipality's currency; XOF and GNF have none, so francs.
  total_amount bigint NOT NULL CHECK (total_amount > 0 AND total_amount <= 9007199254740991),
  max_projects integer CHECK (max_projects BETWEEN 1 AND 1000),
  min_projects integer NOT NULL DEFAULT 1 CHECK (min_projects BETWEEN 1 AND 1000),
  voting_opens_at timestamptz NOT NULL,
  voting_closes_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  -- Set once, when the count is made public; the count itself is kept as it was published, with
  -- the size of the electoral roll it was measured against.
  results_published_at timestamptz,
  results jsonb,
  eligible_voters integer CHECK (eligible_voters >= 0),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, process_id) REFERENCES processes (municipality_id, id),
  CHECK (voting_closes_at > voting_opens_at),
  -- The rules of budget.ts: a knapsack vote has no project count, an approval vote has a maximum.
  CHECK ((kind = 'knapsack' AND max_projects IS NULL AND min_projects = 1) OR (kind = 'approval' AND max_projects IS NOT NULL AND min_projects <= max_projects)),
  CHECK ((results_published_at IS NULL AND results IS NULL AND eligible_voters IS NULL)
      OR (results_published_at IS NOT NULL AND results IS NOT NULL AND eligible_voters IS NOT NULL
          AND status = 'published' AND results_published_at >= voting_closes_at))
);
CREATE INDEX IF NOT EXISTS budgets_process ON budgets (municipality_id, process_id, created_at);

CREATE TABLE IF NOT EXISTS budget_projects (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  budget_id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  cost bigint NOT NULL CHECK (cost >= 0 AND cost <= 9007199254740991),
  -- Where it would be built: a quarter, a street, a school.
  location text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, budget_id) REFERENCES budgets (municipality_id, id)
);
CREATE INDEX IF NOT EXISTS budget_projects_budget ON budget_projects (municipality_id, budget_id, position);

-- One row per budget and person: a resident who changes their mind while voting is open replaces
-- their row. The reference to resident_verifications means only a verified resident of this
-- municipality can hold a ballot here, and that their verification cannot be withdrawn under it.
CREATE TABLE IF NOT EXISTS budget_ballots (
  municipality_id uuid NOT NULL,
  budget_id uuid NOT NULL,
  user_id uuid NOT NULL,
  project_ids uuid[] NOT NULL CHECK (cardinality(project_ids) BETWEEN 1 AND 1000),
  total bigint NOT NULL CHECK (total >= 0),
  cast_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, budget_id, user_id),
  FOREIGN KEY (municipality_id, budget_id) REFERENCES budgets (municipality_id, id),
  FOREIGN KEY (municipality_id, user_id) REFERENCES resident_verifications (municipality_id, user_id)
);

-- A ballot is written only while its budget's vote is open, and once the vote has closed it can be
-- neither changed nor deleted: the count must be the one residents made. The budget row is read
-- FOR SHARE so that a concurrent change of the voting dates waits for this ballot, or the reverse.
CREATE OR REPLACE FUNCTION budget_ballots_guard() RETURNS trigger AS $$
DECLARE
  target record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT voting_closes_at INTO target FROM budgets WHERE municipality_id = OLD.municipality_id AND id = OLD.budget_id FOR SHARE;
    IF FOUND AND now() >= target.voting_closes_at THEN
      RAISE EXCEPTION 'budget_ballot_locked: the vote on budget % has closed; its ballots are kept as cast', OLD.budget_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.municipality_id, NEW.budget_id, NEW.user_id, NEW.cast_at) IS DISTINCT FROM (OLD.municipality_id, OLD.budget_id, OLD.user_id, OLD.cast_at) THEN
    RAISE EXCEPTION 'budget_ballot_locked: a ballot keeps its voter, its budget and the time it was first cast' USING ERRCODE = 'check_violation';
  END IF;
  SELECT status, voting_opens_at, voting_closes_at INTO target FROM budgets WHERE municipality_id = NEW.municipality_id AND id = NEW.budget_id FOR SHARE;
  IF NOT FOUND THEN
    -- The foreign key refuses it with its own message.
    RETURN NEW;
  END IF;
  IF target.status <> 'published' OR now() < target.voting_opens_at OR now() >= target.voting_closes_at THEN
    RAISE EXCEPTION 'budget_ballot_locked: the vote on budget % is not open', NEW.budget_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS budget_ballots_guard ON budget_ballots;
CREATE TRIGGER budget_ballots_guard BEFORE INSERT OR UPDATE OR DELETE ON budget_ballots
  FOR EACH ROW EXECUTE FUNCTION budget_ballots_guard();

-- What a ballot was measured against cannot move under it: the rules of a budget that holds
-- ballots, and the projects they name. Published results are never rewritten.
CREATE OR REPLACE FUNCTION budgets_guard() RETURNS trigger AS $$
BEGIN
  IF (NEW.kind, NEW.total_amount, NEW.max_projects, NEW.min_projects) IS DISTINCT FROM (OLD.kind, OLD.total_amount, OLD.max_projects, OLD.min_projects)
     AND EXISTS (SELECT 1 FROM budget_ballots WHERE municipality_id = OLD.municipality_id AND budget_id = OLD.id) THEN
    RAISE EXCEPTION 'budget_rules_locked: budget % holds ballots; its rules cannot change', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.results_published_at IS NOT NULL
     AND (NEW.results_published_at, NEW.results, NEW.eligible_voters) IS DISTINCT FROM (OLD.results_published_at, OLD.results, OLD.eligible_voters) THEN
    RAISE EXCEPTION 'budget_results_locked: the results of budget % are published', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS budgets_guard ON budgets;
CREATE TRIGGER budgets_guard BEFORE UPDATE ON budgets FOR EACH ROW EXECUTE FUNCTION budgets_guard();

CREATE OR REPLACE FUNCTION budget_projects_guard() RETURNS trigger AS $$
DECLARE
  changes_ballots boolean;
BEGIN
  IF TG_OP = 'DELETE' THEN
    changes_ballots := true;
  ELSE
    changes_ballots := (NEW.municipality_id, NEW.budget_id, NEW.cost) IS DISTINCT FROM (OLD.municipality_id, OLD.budget_id, OLD.cost);
  END IF;
  IF changes_ballots AND EXISTS (SELECT 1 FROM budget_ballots WHERE municipality_id = OLD.municipality_id AND budget_id = OLD.budget_id) THEN
    RAISE EXCEPTION 'budget_projects_locked: budget % holds ballots; its projects and their costs cannot change', OLD.budget_id USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS budget_projects_guard ON budget_projects;
CREATE TRIGGER budget_projects_guard BEFORE UPDATE OR DELETE ON budget_projects
  FOR EACH ROW EXECUTE FUNCTION budget_projects_guard();
