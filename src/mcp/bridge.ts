/**
 * `throughline mcp` with THROUGHLINE_URL: a local stdio MCP server that forwards every
 * message to a Throughline server's /mcp with the configured API key. It lets a client that
 * only starts subprocesses (Claude Desktop) use a running server, whose embedded database no
 * other process may open; the server decides everything, as for any HTTP client. The key is
 * our own credential for our own server; nothing the client sends is passed on as one.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ConfigError, type Config } from '../config.ts';

export async function bridgeStdioToHttp(config: Config): Promise<void> {
  if (!config.serverUrl) throw new ConfigError('THROUGHLINE_URL names the server to bridge to');
  if (!config.apiKey) {
    throw new ConfigError(`THROUGHLINE_API_KEY is required to use the server at ${config.serverUrl}: the agent acts with that key's user and role (see the README on making one).`);
  }
  const remote = new StreamableHTTPClientTransport(new URL('/mcp', config.serverUrl), {
    requestInit: { headers: { authorization: `Bearer ${config.apiKey}` } },
  });
  const local = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    local.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  local.onmessage = (message: JSONRPCMessage) => {
    remote.send(message).catch((e: unknown) => {
      // A request must get an answer, or the client waits forever: say what went wrong.
      if ('id' in message && 'method' in message) {
        const reason = e instanceof Error ? e.message : String(e);
        void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `The Throughline server at ${config.serverUrl} refused or could not be reached: ${reason}` } });
      }
    });
  };
  remote.onmessage = (message) => void local.send(message);
  remote.onerror = (e) => console.error(`throughline mcp: ${e.message}`);
  await remote.start();
  await local.start();
  await closed;
  await remote.close().catch(() => {});
}
