import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Dev outbox: mails "sent" when no SMTP server is configured (APP_ENV local/test). Not tenant data. */
export const devOutbox = pgTable(
  'dev_outbox',
  {
    id: text('id').primaryKey(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    links: jsonb('links').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('dev_outbox_to_created_idx').on(t.to, t.createdAt)],
);
