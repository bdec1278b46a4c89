/** The one configuration schema. Entry points call loadConfig() once and pass the result down. */
import path from 'node:path';
import { z } from 'zod';
import type { LlmSettings } from './core/context.ts';
import { USER_ROLES, type UserRole } from './db/schema/platform.ts';
import { isAddressOrRange } from './api/client-address.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether HOST only accepts connections from this machine. */
export const isLoopback = (host: string) => LOOPBACK.has(host);

/** 32 bytes, base64 (or base64url): the key that encrypts second-factor secrets at rest. */
export function parseSecretKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return undefined;
  const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : undefined;
}

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
  THROUGHLINE_SHUTDOWN_GRACE_SECONDS: z.coerce.number({ message: 'must be a number of seconds' }).min(0).max(60, 'must be at most 60 seconds').default(2),
  THROUGHLINE_LOG_FORMAT: z.enum(['json', 'text'], { message: 'must be json (one object per line) or text (plain lines)' }).optional(),
  THROUGHLINE_METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,200}$/, 'must be 16 to 200 visible ASCII characters, e.g. from: openssl rand -hex 24').optional(),
  THROUGHLINE_TRUSTED_PROXIES: z
    .string()
    .transform((v, ctx) => {
      const list = v.split(',').map((s) => s.trim()).filter(Boolean);
      for (const item of list) {
        if (!isAddressOrRange(item)) ctx.addIssue({ code: 'custom', message: `${item} is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, ::1)` });
      }
      return list;
    })
    .optional(),
  THROUGHLINE_SECRET_KEY: z
    .string()
    .refine((v) => parseSecretKey(v) !== undefined, 'must be 32 random bytes in base64, e.g. from: openssl rand -base64 32')
    .optional(),
  THROUGHLINE_REQUIRE_ADMIN_TOTP: z.stringbool().default(false),
  THROUGHLINE_RATE_LIMIT: z.coerce.number().int().min(0).default(1200),
  THROUGHLINE_RATE_LIMIT_ADDRESS: z.coerce.number().int().min(0).default(2400),
  THROUGHLINE_MCP_USER: z.email({ message: 'must be the email address of a Throughline user' }).optional(),
  THROUGHLINE_MCP_ROLE: z.enum(USER_ROLES).optional(),
  THROUGHLINE_API_KEY: z.string().regex(/^tl_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/, 'must be an API key as shown when it was created (tl_…)').optional(),
  THROUGHLINE_WORKER: z.enum(['on', 'off']).default('on'),
  THROUGHLINE_PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  THROUGHLINE_ENVIRONMENT: z.enum(['development', 'staging', 'production']).default('production'),
  THROUGHLINE_SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587' }).optional(),
  THROUGHLINE_MAIL_FROM: z.string().regex(/^[^\r\n]{3,320}$/, 'must be one line, e.g. Throughline <crm@example.com>').optional(),
  THROUGHLINE_WEBHOOK_ALLOW_PRIVATE: z.stringbool().default(false),
  THROUGHLINE_LLM_PROVIDER: z.enum(['openai', 'anthropic'], { message: 'must be openai (any OpenAI-compatible chat completions API) or anthropic (the Messages API)' }).optional(),
  THROUGHLINE_LLM_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://api.openai.com/v1' }).optional(),
  THROUGHLINE_LLM_API_KEY: z.string().regex(/^[^\r\n]{1,500}$/, 'must be one line').optional(),
  THROUGHLINE_LLM_MODEL: z.string().regex(/^[^\r\n]{1,200}$/, 'must be one line').optional(),
  THROUGHLINE_LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  THROUGHLINE_LLM_MAX_TOKENS: z.coerce.number().int().min(64).max(64_000).default(2_000),
  THROUGHLINE_BACKUP_INTERVAL_HOURS: z.coerce.number({ message: 'must be a number of hours' }).min(0, 'must be 0 (off) or more hours').max(8760, 'must be at most 8760 hours (a year)').default(24),
  THROUGHLINE_BACKUP_KEEP: z.coerce.number().int('must be a whole number').min(1, 'must keep at least 1 backup').max(1000).default(7),
  THROUGHLINE_BACKUP_DIR: z.string().min(1).optional(),
});

const LLM_DEFAULT_URL = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com' } as const;

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
  /** `serve` and `worker` log JSON lines, or plain text; unset: text on a terminal, else JSON (src/logging.ts). */
  logFormat: 'json' | 'text' | undefined;
  /** On SIGTERM, how long the server keeps answering 503 (and /readyz draining) before it stops listening. */
  shutdownGraceSeconds: number;
  /** When set, /metrics answers only `Authorization: Bearer <token>`; unset, it is open (keep it off the internet at the proxy). */
  metricsToken: string | undefined;
  /**
   * Reverse proxies whose X-Forwarded-For is believed: a request arriving from one of these
   * addresses is counted, throttled and audited under the client address the proxy reports.
   */
  trustedProxies: string[];
  /** What "today" means for follow-ups and reports; the machine's zone by default. */
  timeZone: string | undefined;
  /** The CLI talks to this server instead of opening the database itself. */
  serverUrl: string | undefined;
  /**
   * Encrypts second-factor secrets. Required with DATABASE_URL; on the embedded database the
   * server keeps one in <dataDir>/secret.key when this is unset.
   */
  secretKey: Buffer | undefined;
  /** Administrators must sign in with a second factor (TOTP). */
  requireAdminTotp: boolean;
  /** The CLI's credential for a server it talks to over HTTP. */
  apiKey: string | undefined;
  /**
   * Requests per minute per credential (API key or session) and per client address; 0 turns
   * that limit off. Shared by every server process through PostgreSQL; in the process's memory on the embedded database (src/api/rate-limit.ts).
   */
  rateLimit: { perCredential: number; perAddress: number };
  /** `throughline mcp` (stdio) acts for this user, with at most this role. */
  mcp: { user: string | undefined; role: UserRole | undefined };
  /** `off`: this server runs no background work (run `throughline worker` beside it instead). */
  worker: 'on' | 'off';
  /** Where people reach this server, for links in emails and webhooks (default: the address it serves on). */
  publicUrl: string | undefined;
  /** Which of a feature flag's environments this instance is. */
  environment: 'development' | 'staging' | 'production';
  /** Outgoing mail: without an SMTP URL, emails wait in the outbox. */
  smtp: { url: string | undefined; from: string | undefined };
  /** Lets webhooks reach private and loopback addresses: for development and tests only. */
  webhookAllowPrivate: boolean;
  /** The sales assistant's language model; without it, research and drafting say they are not configured. */
  llm: LlmSettings | undefined;
  /**
   * Automatic backups of the embedded database (src/db/backup.ts): every `everyHours` hours (0:
   * none), the newest `keep` kept in `dir` (default <dataDir>/backups). PostgreSQL is backed up
   * with its own tools (docs/production.md).
   */
  backup: { everyHours: number; keep: number; dir: string };
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
  if (!e.THROUGHLINE_LLM_PROVIDER && (e.THROUGHLINE_LLM_MODEL || e.THROUGHLINE_LLM_URL || e.THROUGHLINE_LLM_API_KEY)) {
    throw new ConfigError('Invalid configuration:\n  THROUGHLINE_LLM_PROVIDER: is required with the other THROUGHLINE_LLM_ settings (openai or anthropic)');
  }
  if (e.THROUGHLINE_LLM_PROVIDER && !e.THROUGHLINE_LLM_MODEL) {
    throw new ConfigError('Invalid configuration:\n  THROUGHLINE_LLM_MODEL: is required with THROUGHLINE_LLM_PROVIDER, e.g. gpt-4o-mini or claude-sonnet-4-5');
  }
  // A non-loopback HOST is allowed here; the server refuses it at start unless real credentials exist (server.ts).
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
    logFormat: e.THROUGHLINE_LOG_FORMAT,
    metricsToken: e.THROUGHLINE_METRICS_TOKEN,
    shutdownGraceSeconds: e.THROUGHLINE_SHUTDOWN_GRACE_SECONDS,
    trustedProxies: e.THROUGHLINE_TRUSTED_PROXIES ?? [],
    timeZone: e.THROUGHLINE_TIMEZONE,
    serverUrl: e.THROUGHLINE_URL,
    secretKey: e.THROUGHLINE_SECRET_KEY === undefined ? undefined : parseSecretKey(e.THROUGHLINE_SECRET_KEY),
    requireAdminTotp: e.THROUGHLINE_REQUIRE_ADMIN_TOTP,
    apiKey: e.THROUGHLINE_API_KEY,
    rateLimit: { perCredential: e.THROUGHLINE_RATE_LIMIT, perAddress: e.THROUGHLINE_RATE_LIMIT_ADDRESS },
    mcp: { user: e.THROUGHLINE_MCP_USER, role: e.THROUGHLINE_MCP_ROLE },
    worker: e.THROUGHLINE_WORKER,
    publicUrl: e.THROUGHLINE_PUBLIC_URL,
    environment: e.THROUGHLINE_ENVIRONMENT,
    smtp: { url: e.THROUGHLINE_SMTP_URL, from: e.THROUGHLINE_MAIL_FROM },
    webhookAllowPrivate: e.THROUGHLINE_WEBHOOK_ALLOW_PRIVATE,
    llm: e.THROUGHLINE_LLM_PROVIDER
      ? {
          provider: e.THROUGHLINE_LLM_PROVIDER,
          baseUrl: (e.THROUGHLINE_LLM_URL ?? LLM_DEFAULT_URL[e.THROUGHLINE_LLM_PROVIDER]).replace(/\/+$/, ''),
          apiKey: e.THROUGHLINE_LLM_API_KEY,
          model: e.THROUGHLINE_LLM_MODEL!,
          timeoutMs: e.THROUGHLINE_LLM_TIMEOUT_MS,
          maxTokens: e.THROUGHLINE_LLM_MAX_TOKENS,
        }
      : undefined,
    backup: {
      everyHours: e.THROUGHLINE_BACKUP_INTERVAL_HOURS,
      keep: e.THROUGHLINE_BACKUP_KEEP,
      dir: path.resolve(e.THROUGHLINE_BACKUP_DIR ?? path.join(e.THROUGHLINE_DATA_DIR, 'backups')),
    },
  };
}
