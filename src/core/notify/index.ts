import type { FastifyBaseLogger } from "fastify";
import type { Queryable } from "../db/index.js";

export type Channel = "sms" | "email";

/**
 * How long the outbox keeps a message (who it went to, what it said): long enough to answer "I
 * never got the code" or "what did the town hall tell me", no longer. Documented in docs/operations.
 */
export const NOTIFICATION_RETENTION_DAYS = 90;

export interface OutgoingMessage {
  municipalityId: string | null;
  channel: Channel;
  recipient: string;
  subject?: string;
  body: string;
}

/** A way to reach people. Real gateways (Kannel for SMS, SMTP for email) plug in here. */
export interface ChannelAdapter {
  readonly name: string;
  /** Whether messages really leave the platform; false means they only go to the log and outbox. */
  readonly delivers: boolean;
  deliver(message: OutgoingMessage): Promise<void>;
}

/** The adapter used until a gateway is configured: the message is written to the log only. */
export function logAdapter(log: FastifyBaseLogger): ChannelAdapter {
  return {
    name: "log",
    delivers: false,
    async deliver(message) {
      log.info({ notify: { channel: message.channel, to: message.recipient, body: message.body } }, "message written to the outbox (no gateway configured)");
    },
  };
}

/** Records the message in the outbox, then hands it to the channel's adapter. */
export async function sendMessage(db: Queryable, adapter: ChannelAdapter, message: OutgoingMessage): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO notifications (municipality_id, channel, recipient, subject, body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [message.municipalityId, message.channel, message.recipient, message.subject ?? "", message.body],
  );
  try {
    await adapter.deliver(message);
    await db.query("UPDATE notifications SET status = $2, sent_at = now() WHERE id = $1", [row!.id, adapter.delivers ? "sent" : "logged"]);
  } catch (error) {
    await db.query("UPDATE notifications SET status = 'failed', last_error = $2 WHERE id = $1", [row!.id, String(error)]);
  }
  return row!.id;
}
