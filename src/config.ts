/** The one configuration schema. Entry points call loadConfig() once and pass the result down. */
import path from 'node:path';
import { z } from 'zod';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  THROUGHLINE_DATA_DIR: z.string().min(1).default('./data'),
  THROUGHLINE_BODY_LIMIT: z.coerce.number().int().min(1024).default(1_048_576),
  THROUGHLINE_BULK_BODY_LIMIT: z.coerce.number().int().min(1024).default(33_554_432),
  THROUGHLINE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  THROUGHLINE_SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
  THROUGHLINE_TIMEZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Australia/Sydney')
    .optional(),
  THROUGHLINE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  THROUGHLINE_LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  bodyLimitBytes: number;
  /** Bulk endpoints take up to 10,000 records, which needs more than a single record's limit. */
  bulkBodyLimitBytes: number;
  poolSize: number;
  seedDemo: 'auto' | 'never';
  logLevel: 'silent' | 'error' | 'info' | 'debug';
  /** What "today" means for follow-ups and reports; the machine's zone by default. */
  timeZone: string | undefined;
  /** The CLI talks to this server instead of opening the database itself. */
  serverUrl: string | undefined;
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const empty = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(empty);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  // Until users and sessions exist every caller is the local operator, so the
  // server must not be reachable from other machines.
  if (!LOOPBACK.has(e.HOST)) {
    throw new ConfigError(
      `HOST=${e.HOST} refused: Throughline has no sign-in yet, so it only listens on loopback (127.0.0.1, localhost or ::1).`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.THROUGHLINE_DATA_DIR),
    bodyLimitBytes: e.THROUGHLINE_BODY_LIMIT,
    bulkBodyLimitBytes: e.THROUGHLINE_BULK_BODY_LIMIT,
    poolSize: e.THROUGHLINE_POOL_SIZE,
    seedDemo: e.THROUGHLINE_SEED_DEMO,
    logLevel: e.THROUGHLINE_LOG_LEVEL,
    timeZone: e.THROUGHLINE_TIMEZONE,
    serverUrl: e.THROUGHLINE_URL,
  };
}
