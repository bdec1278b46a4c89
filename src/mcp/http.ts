/**
 * The MCP server over streamable HTTP at /mcp, stateless: every POST carries its own
 * credential (a Bearer API key, checked by src/api/app.ts), gets a server for that key's
 * agent and a JSON answer, and leaves nothing behind. No sessions to hijack or expire, and any
 * server process can answer any request.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createAgentServer, type AgentSession } from './server.ts';

export async function handleMcpRequest(session: AgentSession, request: Request, maxBodyBytes: number): Promise<Response> {
  const server = createAgentServer(session);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true, maxRequestBodySize: maxBodyBytes });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
