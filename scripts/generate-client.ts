/**
 * Generates the typed TypeScript client's types (clients/typescript/src/schema.ts and
 * models.ts) from the OpenAPI document the server serves at GET /api/openapi.json.
 *
 * - schema.ts: openapi-typescript's `paths`, `components` and `operations` for the document.
 * - models.ts: one named type per component schema, so a new table or insight can never be
 *   left out: a resource's record, create and update bodies are named after the record in the
 *   singular (`Companies` → `Company`, `CompaniesCreate` → `CompanyCreate`), every other schema
 *   (`InsightsFunnelResult`, `Problem`) keeps its name.
 *
 * Same document in, byte-identical files out: test/client.test.ts regenerates them from the live
 * server's document and fails when they differ. Run with `npm run client:generate`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApi } from '../src/api/openapi.ts';
import { operations } from '../src/core/registry.ts';

export const GENERATE_COMMAND = 'npm run client:generate';
export const CLIENT_SRC = path.resolve(import.meta.dirname, '..', 'clients', 'typescript', 'src');

export type GeneratedFile = { path: string; text: string };
type Json = Record<string, unknown>;

const header = (what: string) => `/**
 * GENERATED FILE: do not edit. ${what}
 * Generated from the OpenAPI document the server serves (GET /api/openapi.json, built by
 * buildOpenApi in src/api/openapi.ts) by \`${GENERATE_COMMAND}\` (scripts/generate-client.ts).
 * test/client.test.ts fails when it is out of step with the API.
 */
`;

/** `Companies` → `Company`, `CompanyAddresses` → `CompanyAddress`; names not ending in a plural s are kept. */
export function singular(name: string): string {
  if (/ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(ss|sh|ch|x)es$/.test(name)) return name.slice(0, -2);
  if (/[^su]s$/.test(name)) return name.slice(0, -1);
  return name;
}

/** Names index.ts exports by hand, or schema.ts exports: a model may not take one. */
const RESERVED = new Set(['paths', 'components', 'operations', 'webhooks', '$defs', 'ThroughlineError', 'ThroughlineClient', 'ClientOptions', 'ErrorCode', 'FieldError', 'createThroughlineClient', 'unwrap']);

/** The exported name of each component schema, in the document's order. */
export function modelNames(schemas: Record<string, Json>): Array<{ name: string; schema: string; kind: 'record' | 'create' | 'update' | 'other' }> {
  const out = Object.keys(schemas).map((schema) => {
    const body = /^(.+)(Create|Update)$/.exec(schema);
    if (body && schemas[body[1]!]) return { name: `${singular(body[1]!)}${body[2]}`, schema, kind: body[2] === 'Create' ? ('create' as const) : ('update' as const) };
    if (schema === 'Problem' || schema.endsWith('Result')) return { name: schema, schema, kind: 'other' as const };
    return { name: singular(schema), schema, kind: 'record' as const };
  });
  const taken = new Map<string, string>();
  for (const m of out) {
    const other = taken.get(m.name);
    if (other || RESERVED.has(m.name)) throw new Error(`the client type name ${m.name} (for ${m.schema}) is taken${other ? ` by ${other}` : ''}`);
    taken.set(m.name, m.schema);
  }
  return out;
}

const comment = (text: string) => `/** ${text.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim()} */\n`;

/** `#/components/schemas/X` → the operation whose success response is X, as `insights.funnel (GET /api/v1/insights/funnel)`. */
function resultOperations(doc: Json): Map<string, string> {
  const out = new Map<string, string>();
  for (const [url, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        const ref = ((response.content as Record<string, Json> | undefined)?.['application/json']?.schema as Json | undefined)?.$ref;
        if (!status.startsWith('2') || typeof ref !== 'string') continue;
        const summary = typeof op.summary === 'string' ? `: ${op.summary}` : '';
        out.set(ref.replace('#/components/schemas/', ''), `${String(op.operationId)} (${method.toUpperCase()} ${url})${summary}`);
      }
    }
  }
  return out;
}

function describeModel(results: Map<string, string>, schemas: Record<string, Json>, { schema, kind }: { schema: string; kind: string }): string {
  const description = typeof schemas[schema]!.description === 'string' ? (schemas[schema]!.description as string) : '';
  if (kind === 'record') return `A record of ${schema}${description ? `: ${description}` : '.'}`;
  if (kind === 'create') return `The body that creates a record of ${schema.slice(0, -'Create'.length)}.`;
  if (kind === 'update') return `The body that changes a record of ${schema.slice(0, -'Update'.length)}: only the fields to change.`;
  if (schema === 'Problem') return 'An error (RFC 9457 problem details), the body of every non-2xx reply.';
  const op = results.get(schema);
  return op ? `The result of ${op}` : description || `The ${schema} schema.`;
}

function modelsFile(doc: Json): string {
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const results = resultOperations(doc);
  const lines = modelNames(schemas).map((m) => `${comment(describeModel(results, schemas, m))}export type ${m.name} = Schemas['${m.schema}'];\n`);
  return `${header('One named type per component schema of the API.')}import type { components } from './schema.ts';

type Schemas = components['schemas'];

${lines.join('')}`;
}

/** The generated files for this OpenAPI document (the served JSON, parsed). */
export async function generateClient(doc: Json): Promise<GeneratedFile[]> {
  // openapi-typescript validates the document itself, and resolves and annotates the object it
  // is given: it gets a copy.
  const ast = await openapiTS(structuredClone(doc) as unknown as OpenAPI3, { silent: true });
  const schema = `${header('The types of every path, operation and component of the Throughline API.')}${astToString(ast)}`;
  return [
    { path: path.join(CLIENT_SRC, 'schema.ts'), text: schema.endsWith('\n') ? schema : `${schema}\n` },
    { path: path.join(CLIENT_SRC, 'models.ts'), text: modelsFile(doc) },
  ];
}

/** The document exactly as GET /api/openapi.json serves it: JSON-encoded, then parsed. */
export const servedOpenApi = (): Json => JSON.parse(JSON.stringify(buildOpenApi(operations))) as Json;

async function main() {
  for (const file of await generateClient(servedOpenApi())) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, file.text);
    console.log(`wrote ${path.relative(process.cwd(), file.path)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
