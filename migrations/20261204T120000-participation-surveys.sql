-- Surveys (questionnaires) of a participatory process, and residents' responses to them.
--
-- The questions are one JSONB definition, read and checked by the application (survey.ts): a
-- survey is short, always read whole, and its questions change together while it is a draft.
-- Once a survey has left the draft state its questions are frozen, so that every response was
-- given to the same questionnaire and the results compare.

CREATE TABLE IF NOT EXISTS surveys (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  process_id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  definition jsonb NOT NULL DEFAULT '{"questions": []}'::jsonb
    CHECK (jsonb_typeof(definition) = 'object' AND jsonb_typeof(definition -> 'questions') = 'array'),
  -- draft: only staff see it; open: residents answer (within opens_at/closes_at when set);
  -- closed: no more answers. It never returns to draft: its questions stay those answered.
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
  opens_at timestamptz,
  closes_at timestamptz,
  -- Whether free-text answers appear in public results; the municipality reads them first, since
  -- people write names, phone numbers and grievances in them.
  publish_texts boolean NOT NULL DEFAULT false,
  results_public boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, process_id) REFERENCES processes (municipality_id, id),
  CHECK (opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at)
);
CREATE INDEX IF NOT EXISTS surveys_process ON surveys (municipality_id, process_id, created_at);

-- One response per survey and person, held by the primary key: a second answer is refused by the
-- database whatever the application does, including two submissions racing each other.
--
-- Answering requires a verified resident of the municipality (an SMS code or an identity document
-- seen at the counter), as supporting a proposal or voting on a budget does: the reference to
-- resident_verifications makes the database refuse a response from an account that is not
-- verified here, so that one person cannot answer many times through many accounts, and results
-- speak for the municipality's residents. It also keeps a verification from being withdrawn while
-- responses rest on it. The cost is that someone without a verified account cannot answer online;
-- they can be verified at the counter in a minute.
--
-- Who answered is kept only to enforce that rule: exports and results never carry user_id.
CREATE TABLE IF NOT EXISTS survey_responses (
  municipality_id uuid NOT NULL,
  survey_id uuid NOT NULL,
  user_id uuid NOT NULL,
  answers jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'object'),
  submitted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, survey_id, user_id),
  FOREIGN KEY (municipality_id, survey_id) REFERENCES surveys (municipality_id, id),
  FOREIGN KEY (municipality_id, user_id) REFERENCES resident_verifications (municipality_id, user_id)
);

-- A response is written only while its survey is open and within its dates, and is never
-- rewritten: "answer once" means the first answer is the one counted. The survey row is read
-- FOR SHARE so that closing the survey waits for a response being written, or the reverse.
-- Deleting stays possible: it is how an operator erases a person's answers on request.
CREATE OR REPLACE FUNCTION survey_responses_guard() RETURNS trigger AS $$
DECLARE
  target record;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'survey_response_locked: a response is kept as it was submitted' USING ERRCODE = 'check_violation';
  END IF;
  SELECT status, opens_at, closes_at INTO target FROM surveys WHERE municipality_id = NEW.municipality_id AND id = NEW.survey_id FOR SHARE;
  IF NOT FOUND THEN
    -- The foreign key refuses it with its own message.
    RETURN NEW;
  END IF;
  IF target.status <> 'open' OR (target.opens_at IS NOT NULL AND now() < target.opens_at) OR (target.closes_at IS NOT NULL AND now() >= target.closes_at) THEN
    RAISE EXCEPTION 'survey_response_locked: survey % is not open', NEW.survey_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS survey_responses_guard ON survey_responses;
CREATE TRIGGER survey_responses_guard BEFORE INSERT OR UPDATE ON survey_responses
  FOR EACH ROW EXECUTE FUNCTION survey_responses_guard();

-- The questions change only while the survey is a draft, and a survey that has been opened never
-- becomes a draft again: responses always match the questions they answered.
CREATE OR REPLACE FUNCTION surveys_guard() RETURNS trigger AS $$
BEGIN
  IF OLD.status <> 'draft' AND NEW.status = 'draft' THEN
    RAISE EXCEPTION 'survey_locked: survey % has been opened; it cannot return to draft', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.status <> 'draft' AND NEW.definition IS DISTINCT FROM OLD.definition THEN
    RAISE EXCEPTION 'survey_locked: the questions of survey % are frozen once it has been opened', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF (NEW.municipality_id, NEW.process_id) IS DISTINCT FROM (OLD.municipality_id, OLD.process_id) THEN
    RAISE EXCEPTION 'survey_locked: a survey stays in its process' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS surveys_guard ON surveys;
CREATE TRIGGER surveys_guard BEFORE UPDATE ON surveys FOR EACH ROW EXECUTE FUNCTION surveys_guard();
