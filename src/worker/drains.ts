/** The queues the worker drains, built from the configuration (the SMTP server, the outbound policy). */
import type { Config } from '../config.ts';
import { digestDrain } from './digest-drain.ts';
import { emailDrain } from './email-drain.ts';
import { importDrain } from './import-drain.ts';
import { retentionDrain } from './retention-drain.ts';
import { webhookDrain } from './webhook-drain.ts';
import type { Drain, WorkerLog } from './worker.ts';

export function workerDrains(config: Config, log: WorkerLog): Drain[] {
  return [
    // The digest queues mails, so it runs before the outbox is drained.
    digestDrain({ log }),
    emailDrain({ smtpUrl: config.smtp.url, from: config.smtp.from, log }),
    webhookDrain(),
    importDrain({ log }),
    // Last: the queues' own work comes first; retention only removes what is old.
    retentionDrain({ log }),
  ];
}
