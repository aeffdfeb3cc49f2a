/**
 * The mailer: one interface, two transports. SMTP (nodemailer) when SMTP_URL is set; otherwise the
 * dev outbox, a table whose mails can be read at GET /api/v1/dev/outbox (local and test only).
 */
import nodemailer from 'nodemailer';
import type { AppConfig } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { insertOutboxMail } from './mail.repository.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  readonly transport: 'smtp' | 'outbox';
  send(mail: Mail): Promise<void>;
}

const URL_PATTERN = /https?:\/\/[^\s<>"')]+/g;

export function extractLinks(text: string): string[] {
  return [...new Set(text.match(URL_PATTERN) ?? [])];
}

export function createMailer(config: AppConfig, database: Database): Mailer {
  if (config.mail.smtpUrl) {
    const transporter = nodemailer.createTransport(config.mail.smtpUrl);
    return {
      transport: 'smtp',
      async send(mail) {
        await transporter.sendMail({ from: config.mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      },
    };
  }
  return {
    transport: 'outbox',
    async send(mail) {
      await insertOutboxMail(database.db, { ...mail, links: extractLinks(mail.text) });
    },
  };
}
