import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import argon2 from "argon2";
import type { Queryable } from "../db/index.js";
import { recordAudit } from "../audit/index.js";
import type { Actor, MunicipalRole, NetworkRole } from "./roles.js";

export const SESSION_DAYS = 30;
export const RESET_CODE_MINUTES = 15;
export const RESET_MAX_ATTEMPTS = 5;
/** A code proving a number or address lives as long as a reset code, and dies after as many tries. */
export const CONFIRMATION_CODE_MINUTES = 15;
export const CONFIRMATION_MAX_ATTEMPTS = 5;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// A hash computed once so that an unknown account costs as much time as a wrong password.
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export interface UserRow {
  id: string;
  phone: string | null;
  email: string | null;
  name: string;
  password_hash: string;
  locale: string | null;
  /** When the phone number (or e-mail address) was proven to be the person's; null until then. */
  confirmed_at: Date | null;
}

export async function findUserByIdentifier(db: Queryable, phone: string | null, email: string | null): Promise<UserRow | undefined> {
  const [row] = phone
    ? await db.query<UserRow>("SELECT * FROM users WHERE phone = $1", [phone])
    : await db.query<UserRow>("SELECT * FROM users WHERE lower(email) = lower($1)", [email]);
  return row;
}

/** A new account: unconfirmed until a code sent to its number (or address) comes back. */
export async function createUser(
  db: Queryable,
  input: { name: string; phone: string | null; email: string | null; passwordHash: string; locale: string | null },
): Promise<UserRow> {
  const { passwordHash } = input;
  const [row] = await db.query<UserRow>(
    `INSERT INTO users (name, phone, email, password_hash, locale) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [input.name, input.phone, input.email, passwordHash, input.locale],
  );
  return row!;
}

/** Creates a session and returns the token for the cookie; only its hash is stored. */
export async function createSession(db: Queryable, userId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.query(`INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, now() + make_interval(days => $3))`, [
    sha256(token),
    userId,
    SESSION_DAYS,
  ]);
  return token;
}

export async function destroySession(db: Queryable, token: string): Promise<void> {
  await db.query("DELETE FROM sessions WHERE id = $1", [sha256(token)]);
}

/** Loads the signed-in person and all their roles in two queries, or null for an unknown or expired token. */
export async function loadActor(db: Queryable, token: string): Promise<Actor | null> {
  const [user] = await db.query<UserRow>(
    `SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.expires_at > now()`,
    [sha256(token)],
  );
  if (!user) return null;
  const roles = await db.query<{ kind: "m" | "n"; municipality_id: string | null; role: string }>(
    `SELECT 'm' AS kind, municipality_id, role FROM municipal_roles WHERE user_id = $1
     UNION ALL SELECT 'n' AS kind, NULL, role FROM network_roles WHERE user_id = $1`,
    [user.id],
  );
  return {
    id: user.id,
    name: user.name,
    phone: user.phone,
    email: user.email,
    locale: user.locale,
    confirmed: user.confirmed_at !== null,
    municipalRoles: roles
      .filter((r) => r.kind === "m")
      .map((r) => ({ municipalityId: r.municipality_id!, role: r.role as MunicipalRole })),
    networkRoles: roles.filter((r) => r.kind === "n").map((r) => r.role as NetworkRole),
  };
}

export async function grantMunicipalRole(
  tx: Queryable,
  grant: { municipalityId: string; userId: string; role: MunicipalRole; grantedBy: string | null },
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO municipal_roles (municipality_id, user_id, role, granted_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING role`,
    [grant.municipalityId, grant.userId, grant.role, grant.grantedBy],
  );
  if (inserted.length > 0) {
    await recordAudit(tx, {
      actorId: grant.grantedBy,
      municipalityId: grant.municipalityId,
      action: "auth.role.grant",
      subjectType: "user",
      subjectId: grant.userId,
      data: { role: grant.role },
    });
  }
  return inserted.length > 0;
}

export async function revokeMunicipalRole(
  tx: Queryable,
  grant: { municipalityId: string; userId: string; role: MunicipalRole; revokedBy: string | null },
): Promise<boolean> {
  const deleted = await tx.query(
    "DELETE FROM municipal_roles WHERE municipality_id = $1 AND user_id = $2 AND role = $3 RETURNING role",
    [grant.municipalityId, grant.userId, grant.role],
  );
  if (deleted.length > 0) {
    await recordAudit(tx, {
      actorId: grant.revokedBy,
      municipalityId: grant.municipalityId,
      action: "auth.role.revoke",
      subjectType: "user",
      subjectId: grant.userId,
      data: { role: grant.role },
    });
  }
  return deleted.length > 0;
}

export async function grantNetworkRole(tx: Queryable, grant: { userId: string; role: NetworkRole; grantedBy: string | null }): Promise<void> {
  const inserted = await tx.query(
    "INSERT INTO network_roles (user_id, role, granted_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING role",
    [grant.userId, grant.role, grant.grantedBy],
  );
  if (inserted.length > 0) {
    await recordAudit(tx, {
      actorId: grant.grantedBy,
      municipalityId: null,
      action: "auth.network_role.grant",
      subjectType: "user",
      subjectId: grant.userId,
      data: { role: grant.role },
    });
  }
}

/** A six-digit code, as people can type it from an SMS. */
const sixDigits = () => String(randomInt(0, 1_000_000)).padStart(6, "0");
const sameHash = (code: string, hash: string) => timingSafeEqual(Buffer.from(sha256(code.trim())), Buffer.from(hash));

/** Where an account's codes and notices go: its phone number by SMS, or else its e-mail address. */
export function reachOf(user: Pick<UserRow, "phone" | "email">): { channel: "sms" | "email"; recipient: string } {
  return user.phone ? { channel: "sms", recipient: user.phone } : { channel: "email", recipient: user.email! };
}

/**
 * Starts proving that the account's number (or address) is the person's: returns the six-digit
 * code to send there, storing only its hash. An earlier code still pending dies.
 */
export async function createConfirmationCode(db: Queryable, user: Pick<UserRow, "id" | "phone" | "email">): Promise<string> {
  const code = sixDigits();
  await db.query("UPDATE account_confirmations SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", [user.id]);
  await db.query(
    `INSERT INTO account_confirmations (user_id, recipient, code_hash, expires_at) VALUES ($1, $2, $3, now() + make_interval(mins => $4))`,
    [user.id, reachOf(user).recipient, sha256(code), CONFIRMATION_CODE_MINUTES],
  );
  return code;
}

/**
 * Checks a confirmation code for the number or address the account has now; each wrong try
 * counts, and after CONFIRMATION_MAX_ATTEMPTS the code is dead. A right code confirms the account.
 */
export async function consumeConfirmationCode(tx: Queryable, user: Pick<UserRow, "id" | "phone" | "email">, code: string): Promise<boolean> {
  const [pending] = await tx.query<{ id: string; code_hash: string; attempts: number }>(
    `SELECT id, code_hash, attempts FROM account_confirmations
     WHERE user_id = $1 AND recipient = $2 AND used_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [user.id, reachOf(user).recipient],
  );
  if (!pending || pending.attempts >= CONFIRMATION_MAX_ATTEMPTS) return false;
  if (!sameHash(code, pending.code_hash)) {
    await tx.query("UPDATE account_confirmations SET attempts = attempts + 1 WHERE id = $1", [pending.id]);
    return false;
  }
  await tx.query("UPDATE account_confirmations SET used_at = now() WHERE id = $1", [pending.id]);
  await confirmAccount(tx, user.id, { method: "code" });
  return true;
}

/**
 * Records that the account's number (or address) is the person's: proven by a code sent there
 * ("code", "reset") or by an agent who saw the person at the counter ("in_person", with the agent
 * and the municipality). Returns false when the account was confirmed already.
 */
export async function confirmAccount(
  tx: Queryable,
  userId: string,
  proof: { method: "code" | "reset" } | { method: "in_person"; agentId: string; municipalityId: string },
): Promise<boolean> {
  const agentId = proof.method === "in_person" ? proof.agentId : null;
  const updated = await tx.query("UPDATE users SET confirmed_at = now(), confirmed_by = $2 WHERE id = $1 AND confirmed_at IS NULL RETURNING id", [userId, agentId]);
  if (updated.length === 0) return false;
  await recordAudit(tx, {
    actorId: agentId ?? userId,
    municipalityId: proof.method === "in_person" ? proof.municipalityId : null,
    action: "auth.account.confirm",
    subjectType: "user",
    subjectId: userId,
    data: { method: proof.method },
  });
  return true;
}

/** Starts a password reset: returns the six-digit code to send, storing only its hash. */
export async function createResetCode(db: Queryable, userId: string): Promise<string> {
  const code = sixDigits();
  await db.query("UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", [userId]);
  await db.query(
    `INSERT INTO password_resets (user_id, code_hash, expires_at) VALUES ($1, $2, now() + make_interval(mins => $3))`,
    [userId, sha256(code), RESET_CODE_MINUTES],
  );
  return code;
}

/**
 * Checks a reset code; each wrong try counts, and after RESET_MAX_ATTEMPTS the code is dead,
 * so six digits cannot be guessed by trying them all.
 */
export async function consumeResetCode(tx: Queryable, userId: string, code: string): Promise<boolean> {
  const [reset] = await tx.query<{ id: string; code_hash: string; attempts: number }>(
    `SELECT id, code_hash, attempts FROM password_resets
     WHERE user_id = $1 AND used_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [userId],
  );
  if (!reset || reset.attempts >= RESET_MAX_ATTEMPTS) return false;
  if (!sameHash(code, reset.code_hash)) {
    await tx.query("UPDATE password_resets SET attempts = attempts + 1 WHERE id = $1", [reset.id]);
    return false;
  }
  await tx.query("UPDATE password_resets SET used_at = now() WHERE id = $1", [reset.id]);
  // The code went to the account's number (or address): whoever entered it holds it.
  await confirmAccount(tx, userId, { method: "reset" });
  return true;
}

export async function setPassword(tx: Queryable, userId: string, password: string): Promise<void> {
  await tx.query("UPDATE users SET password_hash = $2 WHERE id = $1", [userId, await hashPassword(password)]);
  // A new password closes every open session, in case the old one was stolen.
  await tx.query("DELETE FROM sessions WHERE user_id = $1", [userId]);
}

export async function findUserById(db: Queryable, userId: string): Promise<UserRow | undefined> {
  const [row] = await db.query<UserRow>("SELECT * FROM users WHERE id = $1", [userId]);
  return row;
}

/**
 * The signed-in person changes their own password, having given the current one: every other
 * session of the account closes (a device someone else holds stays out), the one in use stays
 * open, and the change is audited. Returns how many other sessions were closed.
 */
export async function changePassword(tx: Queryable, userId: string, password: string, currentSessionToken: string): Promise<number> {
  await tx.query("UPDATE users SET password_hash = $2 WHERE id = $1", [userId, await hashPassword(password)]);
  const closed = await tx.query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id", [userId, sha256(currentSessionToken)]);
  await recordAudit(tx, {
    actorId: userId,
    municipalityId: null,
    action: "auth.password.change",
    subjectType: "user",
    subjectId: userId,
    data: { other_sessions_closed: closed.length },
  });
  return closed.length;
}

/** The language the person chose, kept on the account so that it follows them to another device. */
export async function setPreferredLocale(db: Queryable, userId: string, locale: string): Promise<void> {
  await db.query("UPDATE users SET locale = $2 WHERE id = $1", [userId, locale]);
}
