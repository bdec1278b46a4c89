/** The queues the worker drains, built from the configuration (the SMTP server, the outbound policy). */
import type { Config } from '../config.ts';
import type { Drain } from './worker.ts';

export function workerDrains(_config: Config): Drain[] {
  return [];
}
