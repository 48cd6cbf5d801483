import { Html } from "@kitajs/html";
import { ActionButton, Breadcrumbs, ErrorSummary, Field, FileField, Form, Paragraphs, SelectField, Table } from "../../../core/views/components.js";
import type { FormState, ViewContext } from "../../../core/views/context.js";
import { Layout } from "../../../core/views/layout.js";
import { wallClock } from "../../../core/tenancy/clock.js";
import type { Municipality } from "../../../core/tenancy/index.js";
import {
  AGE_BANDS,
  GENDERS,
  meetingTiming,
  registrationRefusal,
  seatsLeft,
  type AgeBand,
  type AttendanceTotals,
  type Gender,
  type MeetingRow,
  type MeetingStatus,
  type PhotoRow,
  type RegistrationRow,
} from "./service.js";

export const GENDER_KEYS: Record<Gender, string> = {
  woman: "participation.meetings.gender.woman",
  man: "participation.meetings.gender.man",
  other_or_undisclosed: "participation.meetings.gender.other_or_undisclosed",
};

export const AGE_BAND_KEYS: Record<AgeBand, string> = {
  under_18: "participation.meetings.age.under_18",
  "18_24": "participation.meetings.age.18_24",
  "25_34": "participation.meetings.age.25_34",
  "35_59": "participation.meetings.age.35_59",
  "60_plus": "participation.meetings.age.60_plus",
  undisclosed: "participation.meetings.age.undisclosed",
};

const STATUS_KEYS: Record<MeetingStatus, string> = {
  draft: "participation.meetings.status.draft",
  published: "participation.meetings.status.published",
  cancelled: "participation.meetings.status.cancelled",
};

/** The form field of one cell of the headcount grid. */
export const countField = (gender: Gender, band: AgeBand) => `c_${gender}_${band}`;

function publicCrumbs(ctx: ViewContext, municipality: Municipality, label?: string) {
  const items: { href?: string; label: string }[] = [
    { href: `/${municipality.slug}/`, label: municipality.name },
    { href: `/${municipality.slug}/meetings`, label: ctx.t("participation.meetings.title") },
  ];
  if (label) items.push({ label });
  return <Breadcrumbs ctx={ctx} items={items} />;
}

function adminCrumbs(ctx: ViewContext, municipality: Municipality, label?: string) {
  const items: { href?: string; label: string }[] = [
    { href: `/${municipality.slug}/`, label: municipality.name },
    { href: `/${municipality.slug}/admin`, label: ctx.t("portal.admin.title") },
    { href: `/${municipality.slug}/admin/meetings`, label: ctx.t("participation.meetings.admin.title") },
  ];
  if (label) items.push({ label });
  return <Breadcrumbs ctx={ctx} items={items} />;
}

/** When, in the municipality's time zone: one day with two times, or two full dates. */
export function whenText(ctx: ViewContext, municipality: Municipality, meeting: Pick<MeetingRow, "starts_at" | "ends_at">): string {
  const zone = municipality.time_zone;
  const start = wallClock(meeting.starts_at, zone);
  const end = wallClock(meeting.ends_at, zone);
  if (start.date === end.date) return ctx.t("participation.meetings.when_same_day", { date: ctx.fmt.date(meeting.starts_at, zone), start: start.time, end: end.time });
  return ctx.t("participation.meetings.when_span", { start: ctx.fmt.dateTime(meeting.starts_at, zone), end: ctx.fmt.dateTime(meeting.ends_at, zone) });
}

function whereText(ctx: ViewContext, meeting: Pick<MeetingRow, "place" | "online_url">): string {
  if (meeting.place && meeting.online_url) return ctx.t("participation.meetings.where_hybrid", { place: meeting.place });
  return meeting.place || ctx.t("participation.meetings.online");
}

function seatsText(ctx: ViewContext, meeting: MeetingRow): string {
  const left = seatsLeft(meeting);
  if (left === null) return ctx.t("participation.meetings.seats_unlimited");
  if (left === 0) return ctx.t("participation.meetings.seats_full");
  return ctx.t("participation.meetings.seats_left", { count: left, capacity: meeting.capacity ?? 0 });
}

function MeetingCard(props: { ctx: ViewContext; municipality: Municipality; meeting: MeetingRow; now: Date }): JSX.Element {
  const { ctx, municipality, meeting } = props;
  const { t } = ctx;
  const cancelled = meeting.status === "cancelled";
  return (
    <li>
      <h3>
        <a href={`/${municipality.slug}/meetings/${meeting.id}`} safe>
          {meeting.title}
        </a>
      </h3>
      {cancelled ? (
        <p>
          <span class="tag" safe>
            {t("participation.meetings.status.cancelled")}
          </span>
        </p>
      ) : (
        ""
      )}
      <p safe>{whenText(ctx, municipality, meeting)}</p>
      <p class="meta" safe>
        {whereText(ctx, meeting)}
      </p>
      {!cancelled && meetingTiming(meeting, props.now) === "upcoming" ? <p class="meta" safe>{seatsText(ctx, meeting)}</p> : ""}
    </li>
  );
}

export function MeetingsPage(props: { ctx: ViewContext; municipality: Municipality; meetings: MeetingRow[]; now: Date }): JSX.Element {
  const { ctx, municipality, now } = props;
  const { t } = ctx;
  const upcoming = props.meetings.filter((meeting) => meetingTiming(meeting, now) !== "past");
  // The most recent first, and only the last few: older ones stay in the calendar and open data.
  const past = props.meetings
    .filter((meeting) => meetingTiming(meeting, now) === "past")
    .reverse()
    .slice(0, 20);
  const base = `/${municipality.slug}/meetings`;
  return (
    <Layout ctx={ctx} title={t("participation.meetings.title")} description={t("participation.meetings.intro", { municipality: municipality.name })}>
      {publicCrumbs(ctx, municipality)}
      <h1 safe>{t("participation.meetings.title")}</h1>
      <p safe>{t("participation.meetings.intro", { municipality: municipality.name })}</p>
      <p>
        <a href={`${base}.ics`} safe>
          {t("participation.meetings.subscribe")}
        </a>
        {" · "}
        <a href={`${base}/attendance.csv`} safe>
          {t("participation.meetings.open_data")}
        </a>
      </p>
      <section>
        <h2 safe>{t("participation.meetings.upcoming")}</h2>
        {upcoming.length === 0 ? (
          <p safe>{t("participation.meetings.none_upcoming")}</p>
        ) : (
          <ul class="cards">
            {upcoming.map((meeting) => (
              <MeetingCard ctx={ctx} municipality={municipality} meeting={meeting} now={now} />
            ))}
          </ul>
        )}
      </section>
      {past.length > 0 ? (
        <section>
          <h2 safe>{t("participation.meetings.past")}</h2>
          <ul class="cards">
            {past.map((meeting) => (
              <MeetingCard ctx={ctx} municipality={municipality} meeting={meeting} now={now} />
            ))}
          </ul>
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}

/** Headcount by gender and by age band: what the inclusion goals are checked against. */
export function AttendanceTotalsTables(props: { ctx: ViewContext; totals: AttendanceTotals; registeredPresent?: number }): JSX.Element {
  const { ctx, totals } = props;
  const { t } = ctx;
  const percent = new Intl.NumberFormat(ctx.locale, { style: "percent", maximumFractionDigits: 0 });
  const share = (count: number) => (totals.total > 0 ? percent.format(count / totals.total) : "—");
  return (
    <>
      <p>
        <strong safe>{t("participation.meetings.attendance.total", { count: totals.total })}</strong>
        {props.registeredPresent ? <span safe>{` ${t("participation.meetings.attendance.registered_present", { count: props.registeredPresent })}`}</span> : ""}
      </p>
      <Table
        caption={t("participation.meetings.attendance.by_gender")}
        headers={[t("participation.meetings.attendance.by_gender"), t("participation.meetings.attendance.people"), t("participation.meetings.attendance.share")]}
        rows={GENDERS.map((gender) => [<span safe>{t(GENDER_KEYS[gender])}</span>, <span safe>{ctx.fmt.number(totals.byGender[gender])}</span>, <span safe>{share(totals.byGender[gender])}</span>])}
      />
      <Table
        caption={t("participation.meetings.attendance.by_age")}
        headers={[t("participation.meetings.attendance.by_age"), t("participation.meetings.attendance.people"), t("participation.meetings.attendance.share")]}
        rows={AGE_BANDS.map((band) => [<span safe>{t(AGE_BAND_KEYS[band])}</span>, <span safe>{ctx.fmt.number(totals.byAgeBand[band])}</span>, <span safe>{share(totals.byAgeBand[band])}</span>])}
      />
    </>
  );
}

function AgendaList(props: { agenda: string }): JSX.Element {
  const items = props.agenda
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return (
    <ol>
      {items.map((item) => (
        <li safe>{item}</li>
      ))}
    </ol>
  );
}

export function MeetingPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  meeting: MeetingRow;
  process: { title: string; slug: string } | undefined;
  registered: boolean;
  now: Date;
  totals: AttendanceTotals | undefined;
  registeredPresent: number;
  photos: PhotoRow[];
  canManage: boolean;
  canCount: boolean;
}): JSX.Element {
  const { ctx, municipality, meeting, now } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/meetings/${meeting.id}`;
  const timing = meetingTiming(meeting, now);
  const refusal = registrationRefusal(meeting, now);
  const cancelled = meeting.status === "cancelled";
  return (
    <Layout ctx={ctx} title={meeting.title} description={meeting.description.slice(0, 160)}>
      {publicCrumbs(ctx, municipality, meeting.title)}
      <h1 safe>{meeting.title}</h1>
      {cancelled ? (
        <p class="notice" safe>
          {t("participation.meetings.cancelled_notice")}
        </p>
      ) : (
        ""
      )}
      {meeting.status === "draft" ? (
        <p class="notice" safe>
          {t("participation.meetings.draft_notice")}
        </p>
      ) : (
        ""
      )}
      <dl class="facts">
        <div>
          <dt safe>{t("participation.meetings.field.when")}</dt>
          <dd safe>{whenText(ctx, municipality, meeting)}</dd>
        </div>
        {meeting.place ? (
          <div>
            <dt safe>{t("participation.meetings.field.place")}</dt>
            <dd safe>{meeting.place}</dd>
          </div>
        ) : (
          ""
        )}
        {meeting.online_url && !cancelled ? (
          <div>
            <dt safe>{t("participation.meetings.online")}</dt>
            <dd>
              <a href={meeting.online_url} rel="noopener noreferrer nofollow" safe>
                {t("participation.meetings.join_online")}
              </a>
            </dd>
          </div>
        ) : (
          ""
        )}
        {props.process ? (
          <div>
            <dt safe>{t("participation.meetings.field.process")}</dt>
            <dd>
              <a href={`/${municipality.slug}/participation/${props.process.slug}`} safe>
                {props.process.title}
              </a>
            </dd>
          </div>
        ) : (
          ""
        )}
      </dl>
      <Paragraphs text={meeting.description} />
      {meeting.agenda.trim() ? (
        <section>
          <h2 safe>{t("participation.meetings.field.agenda")}</h2>
          <AgendaList agenda={meeting.agenda} />
        </section>
      ) : (
        ""
      )}
      {timing === "upcoming" && !cancelled ? (
        <section id="registration">
          <h2 safe>{t("participation.meetings.registration")}</h2>
          <p safe>{seatsText(ctx, meeting)}</p>
          {!ctx.actor ? (
            <p>
              <a href={`/account/signin?next=${encodeURIComponent(base)}`} safe>
                {t("participation.meetings.sign_in_to_register")}
              </a>
            </p>
          ) : props.registered ? (
            <>
              <p class="success" safe>
                {t("participation.meetings.you_are_registered")}
              </p>
              <ActionButton ctx={ctx} action={`${base}/unregister`} label={t("participation.meetings.unregister")} secondary />
            </>
          ) : refusal ? (
            <p data-reason={refusal.code} safe>
              {t(refusal.messageKey, { capacity: meeting.capacity ?? 0 })}
            </p>
          ) : (
            <ActionButton ctx={ctx} action={`${base}/register`} label={t("participation.meetings.register")} />
          )}
          <p class="meta" safe>
            {t("participation.meetings.walk_in")}
          </p>
        </section>
      ) : (
        ""
      )}
      {props.totals && props.totals.total > 0 ? (
        <section>
          <h2 safe>{t("participation.meetings.attendance.title")}</h2>
          <AttendanceTotalsTables ctx={ctx} totals={props.totals} registeredPresent={props.registeredPresent} />
        </section>
      ) : (
        ""
      )}
      {meeting.minutes_published_at ? (
        <section>
          <h2 safe>{t("participation.meetings.minutes")}</h2>
          <p class="meta" safe>
            {t("participation.meetings.minutes_published", { date: ctx.fmt.date(meeting.minutes_published_at, municipality.time_zone) })}
          </p>
          <Paragraphs text={meeting.minutes} />
          {props.photos.map((photo) => (
            <figure>
              <img src={`${base}/photos/${photo.id}`} alt={photo.caption || t("participation.meetings.photo_alt", { title: meeting.title })} loading="lazy" />
              {photo.caption ? <figcaption safe>{photo.caption}</figcaption> : ""}
            </figure>
          ))}
        </section>
      ) : timing === "past" && !cancelled ? (
        <p class="meta" safe>
          {t("participation.meetings.minutes_pending")}
        </p>
      ) : (
        ""
      )}
      {props.canManage || props.canCount ? (
        <p>
          {props.canManage ? (
            <a href={`/${municipality.slug}/admin/meetings/${meeting.id}`} safe>
              {t("participation.meetings.admin.manage")}
            </a>
          ) : (
            ""
          )}
          {props.canManage && props.canCount ? " · " : ""}
          {props.canCount && meeting.status === "published" && timing !== "upcoming" ? (
            <a href={`/${municipality.slug}/admin/meetings/${meeting.id}/attendance`} safe>
              {t("participation.meetings.attendance.record")}
            </a>
          ) : (
            ""
          )}
        </p>
      ) : (
        ""
      )}
      <p>
        <a href={`/${municipality.slug}/meetings`} safe>
          {t("participation.meetings.all")}
        </a>
      </p>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Back office

export function AdminMeetingsPage(props: { ctx: ViewContext; municipality: Municipality; meetings: MeetingRow[]; now: Date }): JSX.Element {
  const { ctx, municipality, now } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/meetings`;
  const ordered = [...props.meetings].reverse();
  return (
    <Layout ctx={ctx} title={t("participation.meetings.admin.title")}>
      {adminCrumbs(ctx, municipality)}
      <h1 safe>{t("participation.meetings.admin.title")}</h1>
      <p>
        <a class="button" href={`${base}/new`} safe>
          {t("participation.meetings.admin.new")}
        </a>
      </p>
      {ordered.length === 0 ? (
        <p safe>{t("participation.meetings.admin.none")}</p>
      ) : (
        <Table
          caption={t("participation.meetings.admin.title")}
          headers={[t("participation.meetings.field.title"), t("participation.meetings.field.when"), t("participation.meetings.admin.status"), t("participation.meetings.registration"), t("participation.meetings.attendance.title")]}
          rows={ordered.map((meeting) => [
            <a href={`${base}/${meeting.id}`} safe>
              {meeting.title}
            </a>,
            <span safe>{whenText(ctx, municipality, meeting)}</span>,
            <span safe>{t(STATUS_KEYS[meeting.status])}</span>,
            <span safe>{meeting.capacity === null ? String(meeting.registrations) : `${meeting.registrations} / ${meeting.capacity}`}</span>,
            meeting.status === "published" && meetingTiming(meeting, now) !== "upcoming" ? (
              <a href={`${base}/${meeting.id}/attendance`} safe>
                {t("participation.meetings.attendance.record")}
              </a>
            ) : (
              ""
            ),
          ])}
        />
      )}
    </Layout>
  );
}

/** A time input, laid out as the shared Field lays out its inputs (label, hint, error). */
function TimeField(props: { ctx: ViewContext; form: FormState; name: string; label: string }): JSX.Element {
  const id = `f-${props.name}`;
  const error = props.form.errors[props.name];
  const message = error ? props.ctx.t(error.key, error.params) : undefined;
  return (
    <div>
      <label for={id}>
        {Html.escapeHtml(props.label)}
        <span class="hint" id={`${id}-hint`} safe>
          {props.ctx.t("participation.meetings.field.time_hint")}
        </span>
      </label>
      {message ? (
        <span class="field-error" id={`${id}-error`} safe>
          {message}
        </span>
      ) : (
        ""
      )}
      <input
        type="time"
        id={id}
        name={props.name}
        value={props.form.values[props.name] ?? ""}
        required
        aria-invalid={message ? "true" : undefined}
        aria-describedby={message ? `${id}-hint ${id}-error` : `${id}-hint`}
      />
    </div>
  );
}

export function MeetingEditPage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  meeting?: MeetingRow;
  form: FormState;
  processes: { id: string; title: string }[];
  minutesForm?: FormState;
  now: Date;
}): JSX.Element {
  const { ctx, municipality, meeting, form, now } = props;
  const { t } = ctx;
  const base = meeting ? `/${municipality.slug}/admin/meetings/${meeting.id}` : `/${municipality.slug}/admin/meetings`;
  const title = meeting ? meeting.title : t("participation.meetings.admin.new");
  const timing = meeting ? meetingTiming(meeting, now) : "upcoming";
  return (
    <Layout ctx={ctx} title={title}>
      {adminCrumbs(ctx, municipality, title)}
      <h1 safe>{title}</h1>
      {meeting ? (
        <>
          <p>
            <span safe>{`${t("participation.meetings.admin.status")} : `}</span>
            <strong safe>{t(STATUS_KEYS[meeting.status])}</strong>{" "}
            {meeting.status === "draft" ? <ActionButton ctx={ctx} action={`${base}/publish`} label={t("participation.meetings.admin.publish")} /> : ""}{" "}
            {meeting.status !== "cancelled" && timing !== "past" ? <ActionButton ctx={ctx} action={`${base}/cancel`} label={t("participation.meetings.admin.cancel")} secondary /> : ""}
          </p>
          <p>
            <a href={`/${municipality.slug}/meetings/${meeting.id}`} safe>
              {t("participation.meetings.admin.view_public")}
            </a>
            {meeting.status === "published" && timing !== "upcoming" ? (
              <>
                {" · "}
                <a href={`${base}/attendance`} safe>
                  {t("participation.meetings.attendance.record")}
                </a>
              </>
            ) : (
              ""
            )}
          </p>
          <p class="meta" safe>
            {meeting.capacity === null
              ? t("participation.meetings.admin.registrations", { count: meeting.registrations })
              : t("participation.meetings.admin.registrations_of", { count: meeting.registrations, capacity: meeting.capacity })}
          </p>
        </>
      ) : (
        ""
      )}
      {meeting?.status === "cancelled" ? (
        <p class="notice" safe>
          {t("participation.meetings.cancelled_notice")}
        </p>
      ) : (
        <>
          <ErrorSummary ctx={ctx} form={form} />
          <Form ctx={ctx} action={base} form={form} label={t("participation.meetings.admin.details")}>
            <Field ctx={ctx} form={form} name="title" label={t("participation.meetings.field.title")} required maxlength={200} />
            {props.processes.length > 0 ? (
              <SelectField
                ctx={ctx}
                form={form}
                name="process_id"
                label={t("participation.meetings.field.process")}
                options={[{ value: "", label: t("participation.meetings.field.no_process") }, ...props.processes.map((process) => ({ value: process.id, label: process.title }))]}
              />
            ) : (
              ""
            )}
            <fieldset>
              <legend safe>{t("participation.meetings.field.when")}</legend>
              <p class="meta" safe>
                {t("participation.meetings.field.time_zone", { zone: municipality.time_zone })}
              </p>
              <Field ctx={ctx} form={form} name="date" type="date" label={t("participation.meetings.field.date")} hint={t("participation.meetings.field.date_hint")} required />
              <TimeField ctx={ctx} form={form} name="start_time" label={t("participation.meetings.field.start_time")} />
              <TimeField ctx={ctx} form={form} name="end_time" label={t("participation.meetings.field.end_time")} />
            </fieldset>
            <fieldset>
              <legend safe>{t("participation.meetings.field.where")}</legend>
              <p class="meta" safe>
                {t("participation.meetings.field.where_hint")}
              </p>
              <Field ctx={ctx} form={form} name="place" label={t("participation.meetings.field.place")} maxlength={300} />
              <Field ctx={ctx} form={form} name="online_url" type="url" label={t("participation.meetings.field.online_url")} hint={t("participation.meetings.field.online_url_hint")} maxlength={500} />
            </fieldset>
            <Field ctx={ctx} form={form} name="capacity" type="number" label={t("participation.meetings.field.capacity")} hint={t("participation.meetings.field.capacity_hint")} />
            <Field ctx={ctx} form={form} name="description" label={t("participation.meetings.field.description")} multiline rows={5} maxlength={20000} />
            <Field ctx={ctx} form={form} name="agenda" label={t("participation.meetings.field.agenda")} hint={t("participation.meetings.field.agenda_hint")} multiline rows={6} maxlength={20000} />
            <button type="submit" safe>
              {meeting ? t("participation.meetings.admin.save") : t("participation.meetings.admin.create")}
            </button>
          </Form>
        </>
      )}
      {meeting && meeting.status === "published" ? (
        <section id="minutes">
          <h2 safe>{t("participation.meetings.minutes")}</h2>
          {timing !== "past" ? (
            <p class="meta" safe>
              {t("participation.meetings.admin.minutes_after")}
            </p>
          ) : (
            <>
              <ErrorSummary ctx={ctx} form={props.minutesForm} />
              <Form ctx={ctx} action={`${base}/minutes`} form={props.minutesForm} label={t("participation.meetings.minutes")} multipart>
                <Field ctx={ctx} form={props.minutesForm} name="minutes" label={t("participation.meetings.minutes")} required multiline rows={10} maxlength={50000} />
                <FileField
                  ctx={ctx}
                  form={props.minutesForm}
                  name="photo"
                  label={t("participation.meetings.admin.photo")}
                  hint={t("participation.meetings.admin.photo_hint", { size: Math.round(ctx.uploadLimitBytes / (1024 * 1024)) })}
                  accept="image/jpeg,image/png"
                />
                <Field ctx={ctx} form={props.minutesForm} name="caption" label={t("participation.meetings.admin.caption")} maxlength={300} />
                <button type="submit" safe>
                  {t("participation.meetings.admin.publish_minutes")}
                </button>
              </Form>
            </>
          )}
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}

export function AttendancePage(props: {
  ctx: ViewContext;
  municipality: Municipality;
  meeting: MeetingRow;
  form: FormState;
  registrations: RegistrationRow[];
  totals: AttendanceTotals;
  recordedAt: Date | null;
}): JSX.Element {
  const { ctx, municipality, meeting, form } = props;
  const { t } = ctx;
  const base = `/${municipality.slug}/admin/meetings/${meeting.id}/attendance`;
  const title = t("participation.meetings.attendance.page_title", { title: meeting.title });
  const countsError = form.errors.counts;
  const present = new Set((form.values.present ?? "").split(",").filter(Boolean));
  return (
    <Layout ctx={ctx} title={title}>
      {adminCrumbs(ctx, municipality, title)}
      <h1 safe>{title}</h1>
      <p safe>{whenText(ctx, municipality, meeting)}</p>
      {props.recordedAt ? (
        <p class="meta" safe>
          {t("participation.meetings.attendance.last_recorded", { date: ctx.fmt.dateTime(props.recordedAt, municipality.time_zone), count: props.totals.total })}
        </p>
      ) : (
        ""
      )}
      <p safe>{t("participation.meetings.attendance.instructions")}</p>
      <ErrorSummary ctx={ctx} form={form} />
      <Form ctx={ctx} action={base} form={form} label={t("participation.meetings.attendance.title")}>
        <div id="f-counts">
          {countsError ? (
            <p class="field-error" safe>
              {t(countsError.key, countsError.params)}
            </p>
          ) : (
            ""
          )}
          {GENDERS.map((gender) => (
            <fieldset>
              <legend safe>{t(GENDER_KEYS[gender])}</legend>
              {AGE_BANDS.map((band) => (
                <Field ctx={ctx} form={form} name={countField(gender, band)} type="number" label={t(AGE_BAND_KEYS[band])} />
              ))}
            </fieldset>
          ))}
        </div>
        {props.registrations.length > 0 ? (
          <fieldset id="f-present">
            <legend safe>{t("participation.meetings.attendance.registered")}</legend>
            <p class="meta" safe>
              {t("participation.meetings.attendance.registered_hint")}
            </p>
            {props.registrations.map((registration) => (
              <label>
                <input type="checkbox" name="present" value={registration.user_id} checked={present.has(registration.user_id)} /> <span safe>{registration.name}</span>
              </label>
            ))}
          </fieldset>
        ) : (
          ""
        )}
        <button type="submit" safe>
          {t("participation.meetings.attendance.save")}
        </button>
      </Form>
      {props.totals.total > 0 ? (
        <section>
          <h2 safe>{t("participation.meetings.attendance.current")}</h2>
          <AttendanceTotalsTables ctx={ctx} totals={props.totals} />
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}
