/**
 * The typed TypeScript client (clients/typescript): its generated types are byte-identical to
 * what `npm run client:generate` makes from the OpenAPI document the live server serves; a usage
 * file compiles under strict options with zero diagnostics while wrong usage is refused; and the
 * client works against the live server (Bearer API key, typed records, ThroughlineError for a
 * 404, a 400 with field errors and a 401).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { GENERATE_COMMAND, generateClient } from '../scripts/generate-client.ts';
import {
  createThroughlineClient,
  ThroughlineError,
  unwrap,
  type Company,
  type CompanyCreate,
  type InsightsFunnelResult,
  type ThroughlineClient,
} from '../clients/typescript/src/index.ts';
import { FAST_IDENTITY, type SignedIn, signIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { serveApp, stopServer } from './servers.ts';

const CLIENT_INDEX = path.resolve(import.meta.dirname, '..', 'clients', 'typescript', 'src', 'index.ts');

/** Where two texts first differ, as `line N` with both lines; null when they are identical. */
function firstDifference(committed: string, generated: string): string | null {
  if (committed === generated) return null;
  const a = committed.split('\n');
  const b = generated.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const n = i === -1 ? a.length : i;
  return `line ${n + 1}: committed ${JSON.stringify(a[n] ?? '(end of file)')}, generated ${JSON.stringify(b[n] ?? '(end of file)')}`;
}

type Diagnostic = { line: number | undefined; text: string };

const STRICT: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  noEmit: true,
  types: [],
};

/**
 * Compiles the sources together in one program (one type-check of the large generated schema),
 * each as an ES module of its own beside a package.json of type module, with strict options;
 * answers each source's diagnostics.
 */
function compileEach(sources: string[]): Diagnostic[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-client-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    const files = sources.map((source, i) => {
      const file = path.join(dir, `usage${i}.ts`);
      fs.writeFileSync(file, source);
      return file;
    });
    const program = ts.createProgram(files, STRICT);
    const all = ts.getPreEmitDiagnostics(program);
    const outside = all.filter((d) => !d.file || !files.includes(d.file.fileName));
    return files.map((file, i) =>
      [...all.filter((d) => d.file?.fileName === file), ...(i === 0 ? outside : [])].map((d) => {
        const line = d.file?.fileName === file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : undefined;
        const where = d.file ? `${path.basename(d.file.fileName)}${line ? `:${line}` : ''} ` : '';
        return { line, text: `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` };
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Each @ts-expect-error line is a copy of a line above that compiles, with one thing made wrong.
const USAGE = `import { createThroughlineClient, ThroughlineError, unwrap, type Company, type CompanyCreate, type ContactCreate, type InsightsFunnelResult, type Problem } from ${JSON.stringify(CLIENT_INDEX)};

const client = createThroughlineClient({ baseUrl: 'http://localhost:3000', apiKey: 'tl_example' });
const use = (...values: unknown[]): number => values.length;

export async function usage(): Promise<number> {
  const r = await client.GET('/api/v1/insights/funnel', { params: { query: { pipeline: 'deal' } } });
  const c: string | null | undefined = r.data?.stages[0]?.conversion;
  const problem: Problem | undefined = r.error;
  const funnel: InsightsFunnelResult = await unwrap(client.GET('/api/v1/insights/funnel', { params: { query: { pipeline: 'lead', from: '2024-01-01', to: '2024-03-31' } } }));
  const entered: number | undefined = funnel.stages[0]?.entered;
  const days: number = funnel.period.days;

  const page = await unwrap(client.GET('/api/v1/companies', { params: { query: { limit: 10, sort: '-created_at' } } }));
  const first: Company | undefined = page.items[0];
  const next: string | null = page.next_cursor;
  const body: CompanyCreate = { name: 'Acme', tier: 'growth' };
  const created: Company = await unwrap(client.POST('/api/v1/companies', { body }));
  const id: string = created.id;
  const name: string = (await unwrap(client.GET('/api/v1/companies/{id}', { params: { path: { id } } }))).name;
  const changed: Company = await unwrap(client.PATCH('/api/v1/companies/{id}', { params: { path: { id } }, body: { website: 'https://acme.example' } }));
  const contact: ContactCreate = { name: 'Ada Lovelace', first_name: 'Ada', company_id: id };
  const made = await unwrap(client.POST('/api/v1/contacts', { body: contact }));
  const contactName: string = made.name;
  try {
    await unwrap(client.GET('/api/v1/companies/{id}', { params: { path: { id: 'no-such-id' } } }));
  } catch (e) {
    if (!(e instanceof ThroughlineError)) throw e;
    const status: number = e.status;
    const code: 'NOT_FOUND' | 'VALIDATION' | string = e.code;
    const field: string | undefined = e.fieldErrors[0]?.field;
    use(status, code, field, e.detail, e.requestId);
  }

  // @ts-expect-error 'opportunity' is not a funnel pipeline
  await client.GET('/api/v1/insights/funnel', { params: { query: { pipeline: 'opportunity' } } });
  // @ts-expect-error a company needs a name
  const nameless: CompanyCreate = { tier: 'growth' };
  // @ts-expect-error 'platinum' is not a tier
  const platinum: CompanyCreate = { name: 'Acme', tier: 'platinum' };
  // @ts-expect-error a company has no such field
  const colour: unknown = created.favourite_colour;
  // @ts-expect-error a company's name is a string
  const numbered: number = created.name;
  // @ts-expect-error a conversion rate is a decimal string or null, never a number
  const rate: number | undefined = r.data?.stages[0]?.conversion;
  // @ts-expect-error there is no such path
  await client.GET('/api/v1/no-such-path');
  // @ts-expect-error the path parameter is required
  await client.GET('/api/v1/companies/{id}', {});
  return use(c, problem, entered, days, first, next, name, changed, contactName, nameless, platinum, colour, numbered, rate);
}
`;

describe('the typed client compiles', () => {
  it('type-checks a usage file under strict options with zero diagnostics, and refuses wrong usage', () => {
    // The refusals are real: with the markers blanked out (lines kept), exactly the lines after them fail, and nothing else.
    const refused = USAGE.split('\n').flatMap((line, i) => (line.includes('// @ts-expect-error') ? [i + 2] : []));
    const [marked, unmarked] = compileEach([USAGE, USAGE.replace(/\/\/ @ts-expect-error.*$/gm, '')]);
    expect(marked!.map((d) => d.text)).toEqual([]);
    const listed = unmarked!.map((d) => d.text).join('\n');
    expect(unmarked!.every((d) => d.line !== undefined), listed).toBe(true);
    expect([...new Set(unmarked!.map((d) => d.line!))].sort((a, b) => a - b), listed).toEqual(refused);
  }, 120_000);
});

dbSuite('typed client', ({ database }) => {
  let server: http.Server | undefined;
  let base: string;
  let admin: SignedIn;
  let client: ThroughlineClient;

  beforeAll(async () => {
    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ server, base } = await serveApp(app));
    admin = await signIn(app, database(), 'admin');
    client = createThroughlineClient({ baseUrl: base, apiKey: admin.key });
  });
  afterAll(() => stopServer(server));

  it('is in step with the OpenAPI document the server serves', async () => {
    // Not kept alive: generating blocks this process (and so the server in it) for seconds, and a
    // pooled connection whose keep-alive ran out meanwhile would be reused as the server closes it.
    const res = await fetch(`${base}/api/openapi.json`, { headers: { connection: 'close' } });
    expect(res.status).toBe(200);
    const files = await generateClient((await res.json()) as Record<string, unknown>);
    expect(files.map((f) => path.basename(f.path))).toEqual(['schema.ts', 'models.ts']);
    for (const file of files) {
      const committed = fs.existsSync(file.path) ? fs.readFileSync(file.path, 'utf8') : '';
      expect(firstDifference(committed, file.text), `${path.relative(process.cwd(), file.path)} is out of step with the API: run \`${GENERATE_COMMAND}\``).toBeNull();
    }
  });

  it('creates and reads a company with the API key, typed', async () => {
    const body: CompanyCreate = { name: `Client Co ${randomUUID().slice(0, 8)}`, tier: 'growth', website: 'https://client.example' };
    const created = await client.POST('/api/v1/companies', { body });
    expect(created.response.status).toBe(201);
    const company: Company = await unwrap(created);
    expect(company).toMatchObject({ name: body.name, tier: 'growth', website: 'https://client.example', archived_at: null });

    const read: Company = await unwrap(client.GET('/api/v1/companies/{id}', { params: { path: { id: company.id } } }));
    expect(read).toEqual(company);
    const page = await unwrap(client.GET('/api/v1/companies', { params: { query: { q: body.name } } }));
    expect(page.items.map((c) => c.id)).toEqual([company.id]);
  });

  it('reads an insight as its typed result', async () => {
    // A month of 2011 with no history at all: every stage entered by 0 records, 31 days.
    const funnel: InsightsFunnelResult = await unwrap(client.GET('/api/v1/insights/funnel', { params: { query: { pipeline: 'deal', from: '2011-01-01', to: '2011-01-31' } } }));
    expect(funnel.period).toEqual({ from: '2011-01-01', to: '2011-01-31', days: 31 });
    expect(funnel.stages.length).toBeGreaterThan(0);
    expect(funnel.stages.map((s) => s.entered)).toEqual(funnel.stages.map(() => 0));
  });

  it('throws a ThroughlineError for a 404, a 400 with field errors and a 401', async () => {
    const missing = randomUUID();
    const notFound = await unwrap(client.GET('/api/v1/companies/{id}', { params: { path: { id: missing } } })).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ThroughlineError);
    expect(notFound).toMatchObject({ name: 'ThroughlineError', status: 404, code: 'NOT_FOUND', fieldErrors: [] });
    expect((notFound as ThroughlineError).requestId).toMatch(/\S/);

    // Wrong on purpose, past the compiler: a missing name and a tier that does not exist.
    const bad = { tier: 'platinum' } as unknown as CompanyCreate;
    const invalid = await unwrap(client.POST('/api/v1/companies', { body: bad })).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ThroughlineError);
    const err = invalid as ThroughlineError;
    expect([err.status, err.code]).toEqual([400, 'VALIDATION']);
    expect(err.fieldErrors.map((f) => f.field).sort()).toEqual(['name', 'tier']);
    expect(err.message).toContain('VALIDATION (400)');

    const stranger = createThroughlineClient({ baseUrl: base, apiKey: 'tl_not_a_key' });
    await expect(unwrap(stranger.GET('/api/v1/companies', {}))).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });
});
