-- Public meetings of participation: a date, a place or an online link, an agenda, registration
-- with an optional number of seats, attendance counted at the door by an agent, and minutes and
-- photos published afterwards.
--
-- Attendance is kept as counts by gender and age band, not as a list of names: most people who
-- come have no account, and the programme's inclusion goals (women, young people) are measured
-- on headcounts that are open data. Registered accounts may also be ticked as present.

CREATE TABLE IF NOT EXISTS meetings (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  -- The process it belongs to (the Local Action Plan's co-creation…), when it belongs to one.
  process_id uuid,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  agenda text NOT NULL DEFAULT '' CHECK (length(agenda) <= 20000),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  place text NOT NULL DEFAULT '' CHECK (length(place) <= 300),
  online_url text CHECK (online_url ~* '^https?://[^[:space:]]+$' AND length(online_url) <= 500),
  -- NULL: as many as come.
  capacity integer CHECK (capacity BETWEEN 1 AND 100000),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
  minutes text NOT NULL DEFAULT '' CHECK (length(minutes) <= 50000),
  minutes_published_at timestamptz,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, process_id) REFERENCES processes (municipality_id, id),
  CHECK (ends_at > starts_at),
  -- Somewhere to go: a room, a link, or both.
  CHECK (place <> '' OR online_url IS NOT NULL),
  -- Minutes tell what happened, so they come after the meeting.
  CHECK (minutes_published_at IS NULL OR minutes_published_at >= ends_at)
);
CREATE INDEX IF NOT EXISTS meetings_starts ON meetings (municipality_id, starts_at);

-- One registration per person and meeting: the primary key refuses a second one.
CREATE TABLE IF NOT EXISTS meeting_registrations (
  municipality_id uuid NOT NULL,
  meeting_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, meeting_id, user_id),
  FOREIGN KEY (municipality_id, meeting_id) REFERENCES meetings (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS meeting_registrations_user ON meeting_registrations (municipality_id, user_id);

-- Headcount at the door: one row per gender and age band, replaced whole at each recording.
CREATE TABLE IF NOT EXISTS meeting_attendance (
  municipality_id uuid NOT NULL,
  meeting_id uuid NOT NULL,
  gender text NOT NULL CHECK (gender IN ('woman', 'man', 'other_or_undisclosed')),
  age_band text NOT NULL CHECK (age_band IN ('under_18', '18_24', '25_34', '35_59', '60_plus', 'undisclosed')),
  count integer NOT NULL CHECK (count BETWEEN 0 AND 100000),
  recorded_by uuid REFERENCES users (id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, meeting_id, gender, age_band),
  FOREIGN KEY (municipality_id, meeting_id) REFERENCES meetings (municipality_id, id) ON DELETE CASCADE
);

-- Registered accounts the agent ticked as present; only someone registered can be ticked.
CREATE TABLE IF NOT EXISTS meeting_attendees (
  municipality_id uuid NOT NULL,
  meeting_id uuid NOT NULL,
  user_id uuid NOT NULL,
  recorded_by uuid REFERENCES users (id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, meeting_id, user_id),
  FOREIGN KEY (municipality_id, meeting_id, user_id) REFERENCES meeting_registrations (municipality_id, meeting_id, user_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS meeting_photos (
  municipality_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  meeting_id uuid NOT NULL,
  file_id uuid NOT NULL REFERENCES stored_files (id),
  caption text NOT NULL DEFAULT '' CHECK (length(caption) <= 300),
  added_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, meeting_id) REFERENCES meetings (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS meeting_photos_meeting ON meeting_photos (municipality_id, meeting_id, created_at);
