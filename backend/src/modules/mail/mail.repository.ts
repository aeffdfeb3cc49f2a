import { and, desc, eq, gte } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { devOutbox } from '../../db/schema/index.ts';
import { newId } from '../../lib/ids.ts';

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  links: string[];
}

export async function insertOutboxMail(db: Executor, mail: OutboxMail) {
  const [row] = await db
    .insert(devOutbox)
    .values({
      id: newId('mail'),
      to: mail.to.toLowerCase(),
      subject: mail.subject,
      text: mail.text,
      html: mail.html ?? null,
      links: mail.links,
    })
    .returning();
  return row;
}

export async function findOutboxMails(db: Executor, filter: { to?: string; since?: Date; limit: number }) {
  const where = and(
    filter.to ? eq(devOutbox.to, filter.to.toLowerCase()) : undefined,
    filter.since ? gte(devOutbox.createdAt, filter.since) : undefined,
  );
  return db.select().from(devOutbox).where(where).orderBy(desc(devOutbox.createdAt), desc(devOutbox.id)).limit(filter.limit);
}
