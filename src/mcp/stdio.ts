/**
 * `throughline mcp`: the MCP server over standard input and output, for an MCP client that
 * starts it as a subprocess (Claude Desktop, Claude Code). It opens the database itself and
 * acts for the user named in the configuration (THROUGHLINE_MCP_USER or --user), with that
 * user's role or the lower one THROUGHLINE_MCP_ROLE names. Standard output carries only
 * the protocol; everything else goes to standard error.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createRateLimits } from '../api/rate-limit.ts';
import { ConfigError, type Config } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { makeCtx } from '../core/context.ts';
import { agentActor } from '../core/identity/actor.ts';
import { findUserByEmail, isActive, loadUser } from '../core/identity/user-record.ts';
import { accessCacheFor } from '../core/platform/cache.ts';
import type { UserRole } from '../db/schema/platform.ts';
import { DataDirLockedError } from '../db/lock.ts';
import type { Logger } from '../logging.ts';
import { identityConfig, openAndMigrate, runtimeOf } from '../server.ts';
import { createAgentServer } from './server.ts';

const toStderr: Logger = { info: () => {}, error: (m, e) => console.error(m, e instanceof Error ? e.message : (e ?? '')) };

export async function serveStdio(config: Config, opts: { user?: string | undefined; role?: UserRole | undefined }): Promise<void> {
  const email = opts.user ?? config.mcp.user;
  if (!email) {
    throw new ConfigError('Name the user the agent acts for: throughline mcp --user you@example.com, or THROUGHLINE_MCP_USER in the MCP client\'s configuration.');
  }
  const role = opts.role ?? config.mcp.role;
  let database;
  try {
    ({ database } = await openAndMigrate(config, toStderr));
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      throw new ConfigError(
        `${e.message}\nWhile the Throughline server runs, connect your MCP client to it over HTTP instead: ${e.holder.url ?? config.serverUrl ?? `http://${config.host}:${config.port}`}/mcp with an API key (see the README).`,
      );
    }
    throw e;
  }
  const base = makeCtx(database.db, { identity: identityConfig(config, database), cache: accessCacheFor(database), runtime: runtimeOf(config), ...(config.timeZone ? { timeZone: config.timeZone } : {}), meta: { userAgent: 'mcp-stdio' } });
  const found = await findUserByEmail(base, email);
  if (!found || !isActive(found)) {
    await database.close();
    throw new ConfigError(`No active Throughline user has the email ${email}. Create one with: throughline user create --email ${email} --name … --role editor`);
  }
  const limits = createRateLimits({ perCredential: config.rateLimit.perCredential, perAddress: 0 });
  const server = createAgentServer({
    ctx: base,
    // Read again for every call: a user disabled, or whose role changed, is an agent changed.
    actor: async () => {
      const user = await loadUser(base, found.id).catch(() => undefined);
      if (!user || !isActive(user)) throw new AppError('UNAUTHORIZED', `${email} is no longer an active user; the agent may not act for them`);
      return agentActor(user, { role });
    },
    ...(limits ? { limit: () => limits.localAgent(found.id) } : {}),
    links: { base: config.serverUrl ?? `http://${config.host}:${config.port}` },
    log: (m, e) => toStderr.error(m, e),
  });
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close().catch(() => {});
  await database.close();
}
