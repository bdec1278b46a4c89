/**
 * Logs. The long-running processes (`serve`, `worker`) write one JSON object per line with
 * pino: a time, a level, a message and fields (a request's id, route, status and duration),
 * which a log shipper can index. On a terminal, or with THROUGHLINE_LOG_FORMAT=text, the same
 * events are plain lines for a person. One-shot commands (migrate, backup, seed) print plain lines.
 *
 * Logs carry ids, never who: email addresses are masked in every message, and a failed
 * query is shown without its parameter values (which are the data).
 */
import { pino } from 'pino';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type Logger = {
  info(msg: string, fields?: LogFields): void;
  error(msg: string, err?: unknown, fields?: LogFields): void;
};

export type LogLevel = 'silent' | 'error' | 'info' | 'debug';
export type LogFormat = 'json' | 'text';

/** Email addresses in a log line (a mail server's refusal names its recipient): logs carry ids, never who. */
const EMAIL_IN_TEXT = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
export const redactLogText = (text: string): string => text.replace(EMAIL_IN_TEXT, '[email]');

/**
 * An error as the log shows it: its stack, except that a failed query (drizzle's
 * DrizzleQueryError, whose message lists the parameters, which are the data: names, emails) shows
 * the statement and how many values it had, then the database's own message.
 */
export function describeLoggedError(err: unknown): string {
  if (!(err instanceof Error)) return err === undefined ? '' : redactLogText(String(err));
  const q = err as Error & { query?: unknown; params?: unknown };
  if (typeof q.query === 'string' && Array.isArray(q.params)) {
    const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
    const cause = err.cause instanceof Error ? `\nCaused by: ${err.cause.message}` : '';
    return redactLogText([`${err.name}: Failed query: ${q.query}\n(${q.params.length} parameter value(s), not logged)${cause}`, ...frames].join('\n'));
  }
  return redactLogText(err.stack ?? err.message);
}

/** Fields as they may be logged: strings masked like messages. */
const redactFields = (fields: LogFields | undefined): LogFields | undefined =>
  fields && Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? redactLogText(v) : v]));

/** Plain lines: for one-shot commands, and for a person watching a server in a terminal. */
export const consoleLogger = (level: LogLevel): Logger => ({
  info: (msg, fields) => {
    if (level !== 'info' && level !== 'debug') return;
    const extra = fields ? Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`).join(' ') : '';
    console.log(redactLogText(extra ? `${msg} ${extra}` : msg));
  },
  // An error's message names what failed (a request's id among it), so its fields are not repeated.
  error: (msg, err) => {
    if (level !== 'silent') console.error(redactLogText(msg), describeLoggedError(err));
  },
});

/**
 * One JSON object per line on standard output (pino). `destination` is for tests; pino
 * writes synchronously, so the last lines before an exit are not lost.
 */
export function jsonLogger(level: LogLevel, destination?: { write(line: string): void }): Logger {
  const p = pino(
    { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return {
    info: (msg, fields) => p.info(redactFields(fields) ?? {}, redactLogText(msg)),
    // The error as text (describeLoggedError), never pino's serializer, which would copy a failed query's values.
    error: (msg, err, fields) => p.error({ ...redactFields(fields), ...(err === undefined ? {} : { err: describeLoggedError(err) }) }, redactLogText(msg)),
  };
}

/** The logger of a long-running process: JSON unless THROUGHLINE_LOG_FORMAT=text, or unset on a terminal. */
export function serviceLogger(level: LogLevel, format: LogFormat | undefined): Logger {
  const chosen = format ?? (process.stdout.isTTY ? 'text' : 'json');
  return chosen === 'text' ? consoleLogger(level) : jsonLogger(level);
}
