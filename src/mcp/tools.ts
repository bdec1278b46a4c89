/**
 * The MCP tools: about two dozen, named for what the person running the business says
 * ("log a prospect", "who is outstanding on the survey"), each one a registry operation
 * under another name, plus generic tools over every table and every other operation.
 * A tool only turns its arguments into (operation, input); server.ts runs every one the
 * same way: permission, confirmation, dry run, transaction, audit.
 */
import { z } from 'zod';
import { AppError, invalid, parseInput } from '../core/errors.ts';
import { isBulk, ListInputSchema, offeredToAgents, operationByName, operations, ROLE_FOR_SCOPE, type Operation } from '../core/registry.ts';
import { objectInput } from '../core/fields.ts';
import { jsonSchemaOf as coreJsonSchemaOf } from '../core/json-schema.ts';
import { singular, type Resource, type Row } from '../core/resource.ts';
import { MonthlyInput } from '../core/reports/report-operations.ts';
import { recordPath } from '../core/web-paths.ts';
import { webUrl, type WebLinks } from './links.ts';
import { resourceByName, resources } from '../core/resources.ts';

export type JsonSchema = { type: 'object'; properties?: Record<string, object>; required?: string[]; [k: string]: unknown };

/** What a tool call runs: one registry operation with its input, and how to present the result. */
export type Plan = { op: Operation; input: unknown; present?: (result: unknown) => unknown };

export type McpTool = {
  name: string;
  title: string;
  description: string;
  /** Offered only to roles that may write (editors and administrators); takes dry_run and confirm. */
  writes: boolean;
  inputSchema: JsonSchema;
} & (
  | { plan: (args: Row) => Plan }
  /** A read over several operations (search, describe_schema); each operation it runs is authorized by `run`. */
  | { read: (args: Row, run: (op: Operation, input: unknown) => Promise<unknown>, links: WebLinks) => Promise<unknown> }
);

/** Page size of lists for an agent: small pages keep the model's context for the work. */
export const AGENT_DEFAULT_LIMIT = 20;
export const AGENT_MAX_LIMIT = 50;

export const agentOperations = operations.filter(offeredToAgents);
const agentOperationByName = new Map(agentOperations.map((o) => [o.name, o]));

/** The operation an agent may run under this name, or a NOT_FOUND that says where to look. */
function agentOperation(name: string): Operation {
  const op = agentOperationByName.get(name);
  if (!op) {
    throw new AppError('NOT_FOUND', `There is no operation ${name} for agents; describe_schema lists them`, {
      details: { fields: [{ field: 'action', message: `unknown operation ${name}` }] },
    });
  }
  return op;
}

/** Deletes, changes to many records at once and exports of everything about a person wait for the user's yes (`confirm: true`). */
export const needsConfirm = (op: Operation) => op.destructive || isBulk(op) || op.sensitive === true;

/** The verbs every table has (`companies.archive`…), apart from the acts of its own. */
const GENERIC_VERBS = new Set(['list', 'get', 'create', 'update', 'archive', 'restore', 'delete', 'bulk_create', 'reassign']);
const isGenericVerb = (o: Operation) => o.resource !== undefined && o.name.startsWith(`${o.resource.name}.`) && GENERIC_VERBS.has(o.name.slice(o.resource.name.length + 1));

/** A table's own acts (send a proposal, deploy an asset…), beside its generic verbs. */
const tableActs = (res: Resource) => agentOperations.filter((o) => (o.resource === res || o.tag === res.name) && !isGenericVerb(o));

/** The JSON Schema an MCP client sees, from the same zod schema the API validates with (tool inputs are objects). */
export const jsonSchemaOf = (schema: z.ZodType): JsonSchema => coreJsonSchemaOf(schema) as JsonSchema;

const SAFETY_PROPERTIES = {
  dry_run: { type: 'boolean', description: 'true: make no change; answer with the change this call would make (the result and every record it would write)' },
  confirm: { type: 'boolean', description: 'must be true for a destructive or bulk change (delete, imports, batches) and for handing over everything stored about a person (an access-request export); try a change with dry_run first' },
};
const withSafety = (s: JsonSchema): JsonSchema => ({ ...s, properties: { ...(s.properties ?? {}), ...SAFETY_PROPERTIES } });

/** A tool that is one registry operation under a person's name for it. */
function named(name: string, opName: string, title: string, extra: { description?: string; input?: (args: Row) => unknown; schema?: z.ZodType; present?: Plan['present'] } = {}): McpTool {
  const op = operationByName.get(opName);
  if (!op || !offeredToAgents(op)) throw new Error(`MCP tool ${name}: no operation ${opName} for agents`);
  const writes = op.scope !== 'read';
  const schema = jsonSchemaOf(extra.schema ?? op.input);
  return {
    name,
    title,
    description: `${extra.description ?? op.summary}.${op.description ? ` ${op.description}` : ''}`,
    writes,
    inputSchema: writes ? withSafety(schema) : schema,
    plan: (args) => ({ op, input: extra.input ? extra.input(args) : args, ...(extra.present ? { present: extra.present } : {}) }),
  };
}

/** A tool that creates one record of a table, its arguments being the record's fields. */
function creating(name: string, table: string, title: string, description: string): McpTool {
  const res = resourceByName.get(table)!;
  const op = operationByName.get(`${table}.create`)!;
  return {
    name,
    title,
    description: `${description} Fields as for creating a ${singular(table)}; see describe_schema for ${table}.`,
    writes: true,
    inputSchema: withSafety(jsonSchemaOf(res.createSchema)),
    plan: (args) => ({ op, input: { data: args } }),
  };
}

// ---------------------------------------------------------------------------
// Generic tools over every table and every operation

const tableName = z.string().max(64).describe('a table name, e.g. companies, contacts, engagements (describe_schema lists them)');
const recordId = z.string().max(200).describe('the record id');

function tableFor(name: unknown): Resource {
  const res = typeof name === 'string' ? resourceByName.get(name) : undefined;
  if (!res) throw invalid([{ field: 'table', message: `is not a table; describe_schema lists them` }]);
  return res;
}

/** The table's operation of this kind, or a field error that says what the table offers instead. */
function tableOperation(res: Resource, verb: 'list' | 'get' | 'create' | 'update'): Operation {
  const op = agentOperationByName.get(`${res.name}.${verb}`);
  if (op) return op;
  const acts = tableActs(res).map((o) => o.name);
  throw invalid([
    {
      field: 'table',
      message:
        verb === 'create' || verb === 'update'
          ? `${res.name} records are not ${verb}d directly${acts.length ? `; their operations: ${acts.join(', ')}` : ''} (describe_schema ${res.name})`
          : `${res.name} cannot be read by an agent`,
    },
  ]);
}

const DescribeInput = z.strictObject({
  table: tableName.optional(),
  action: z.string().max(100).optional().describe('an operation name, e.g. assessment.send_proposal: its input schema'),
});
const GetInput = z.strictObject({ table: tableName, id: recordId });
const ListToolInput = ListInputSchema.extend({
  table: tableName,
  limit: z.coerce.number().optional().describe(`page size, ${AGENT_DEFAULT_LIMIT} by default, at most ${AGENT_MAX_LIMIT}`),
});
const CreateInput = z.strictObject({ table: tableName, data: objectInput('the fields (describe_schema shows them)') });
const UpdateInput = z.strictObject({
  table: tableName,
  id: recordId,
  data: objectInput('only the fields to change'),
  expected_version: z.int().min(1).optional().describe('refuse if the record is no longer at this version (as last read)'),
});
const ActInput = z.strictObject({
  action: z.string().max(100).describe('the operation, e.g. assessment.send_proposal (describe_schema lists them)'),
  input: objectInput("the operation's input, ids included (describe_schema with action shows its schema)").optional(),
});
const SEARCHED = ['companies', 'contacts', 'leads', 'deals', 'engagements', 'interactions', 'support_tickets', 'invoices', 'training_sessions', 'contact_tasks', 'ai_assets'];
const SearchInput = z.strictObject({
  q: z.string().trim().min(2, 'give at least 2 characters').max(200).describe('words to find in names, emails, subjects, numbers'),
  tables: z.array(z.string().max(64)).max(SEARCHED.length).optional().describe(`where to look (default: ${SEARCHED.join(', ')})`),
  limit: z.int().min(1).max(10).optional().describe('matches per table, 5 by default'),
});

function describeTable(res: Resource) {
  return {
    table: res.name,
    summary: res.summary,
    mode: res.mode,
    fields: res.output.map((f) => ({
      name: f.name,
      type: f.kind,
      ...(f.enumValues ? { values: f.enumValues } : {}),
      nullable: f.nullable,
      ...(res.readOnly.includes(f.name) || f.generated ? { read_only: true } : {}),
      ...(res.immutable.includes(f.name) ? { immutable: true } : {}),
    })),
    create: agentOperationByName.has(`${res.name}.create`) ? jsonSchemaOf(res.createSchema) : null,
    update: agentOperationByName.has(`${res.name}.update`) ? jsonSchemaOf(res.updateSchema) : null,
    sortable: res.sortable,
    searched: res.search,
    actions: tableActs(res).map((o) => ({ name: o.name, summary: o.summary })),
  };
}

function describeOperation(op: Operation) {
  return {
    action: op.name,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    writes: op.scope !== 'read',
    needs: ROLE_FOR_SCOPE[op.scope],
    ...(needsConfirm(op) ? { confirm_required: true } : {}),
    input: jsonSchemaOf(op.input),
  };
}

const genericTools: McpTool[] = [
  {
    name: 'describe_schema',
    title: 'Describe the data',
    description:
      'What Throughline holds and what can be done with it. No arguments: every table and every operation (for act and lookup). With table: its fields, types, allowed values, what create and update take, and its operations. With action: that operation and its input schema.',
    writes: false,
    inputSchema: jsonSchemaOf(DescribeInput),
    read: async (args) => {
      const input = parseInput(DescribeInput, args);
      if (input.action !== undefined) return describeOperation(agentOperation(input.action));
      if (input.table !== undefined) return describeTable(tableFor(input.table));
      // Names and one line each: the detail is one more call away, and the model's context is precious.
      const acts = agentOperations.filter((o) => !isGenericVerb(o));
      const line = (o: Operation) => [o.name, o.summary] as const;
      return {
        tables: Object.fromEntries(resources.filter((r) => agentOperationByName.has(`${r.name}.list`)).map((r) => [r.name, r.summary])),
        read_actions: Object.fromEntries(acts.filter((o) => o.scope === 'read').map(line)),
        write_actions: Object.fromEntries(acts.filter((o) => o.scope !== 'read').map(line)),
        every_table_also_has: 'archive, restore, delete (admins, confirm), bulk_create (confirm) and, where records have owners, reassign: act with <table>.<verb>',
      };
    },
  },
  {
    name: 'search',
    title: 'Search',
    description: 'Find records by name, email, subject or number across companies, contacts, leads, deals, engagements and more. Answers with ids to use in get and the other tools.',
    writes: false,
    inputSchema: jsonSchemaOf(SearchInput),
    read: async (args, run, links) => {
      const input = parseInput(SearchInput, args);
      const tables = (input.tables ?? SEARCHED).map((t, i) => {
        const res = resourceByName.get(t);
        if (!res || !res.search.length || !agentOperationByName.has(`${t}.list`)) throw invalid([{ field: `tables[${i}]`, message: `${t} is not a table that can be searched` }]);
        return res;
      });
      const limit = input.limit ?? 5;
      const results: Row[] = [];
      const counts: Record<string, number> = {};
      for (const res of tables) {
        const page = (await run(agentOperationByName.get(`${res.name}.list`)!, { q: input.q, limit })) as { items: Row[]; next_cursor: string | null };
        counts[res.name] = page.items.length;
        for (const row of page.items) {
          results.push({
            table: res.name,
            id: row.id,
            ...Object.fromEntries(res.search.filter((f) => row[f] !== null && row[f] !== undefined).map((f) => [f, row[f]])),
            web_url: webUrl(links, recordPath(res.name, String(row.id))),
          });
        }
      }
      return { q: input.q, results, counts, note: `at most ${limit} per table; use list with q for more` };
    },
  },
  {
    name: 'get',
    title: 'Get a record',
    description: 'One record of any table by id.',
    writes: false,
    inputSchema: jsonSchemaOf(GetInput),
    plan: (args) => {
      const input = parseInput(GetInput, args);
      return { op: tableOperation(tableFor(input.table), 'get'), input: { id: input.id } };
    },
  },
  {
    name: 'list',
    title: 'List records',
    description: `Records of any table, a page at a time (${AGENT_DEFAULT_LIMIT} by default, at most ${AGENT_MAX_LIMIT}): filters [{field, op, value}] with op one of eq, ne, lt, lte, gt, gte, in, like, is_null; sort by a field (-field descending); q searches; pass next_cursor back as cursor for the next page.`,
    writes: false,
    inputSchema: jsonSchemaOf(ListToolInput),
    plan: (args) => {
      const { table, ...rest } = parseInput(ListToolInput, args);
      return { op: tableOperation(tableFor(table), 'list'), input: rest };
    },
  },
  {
    name: 'create',
    title: 'Create a record',
    description: 'A new record in any table that takes them directly (describe_schema shows the fields). Records with rules of their own (decisions, proposals, usage) are made by their operations instead: the error says which.',
    writes: true,
    inputSchema: withSafety(jsonSchemaOf(CreateInput)),
    plan: (args) => {
      const input = parseInput(CreateInput, args);
      return { op: tableOperation(tableFor(input.table), 'create'), input: { data: input.data } };
    },
  },
  {
    name: 'update',
    title: 'Change a record',
    description: 'Change some fields of a record of any table; a status moves only along its pipeline. Give expected_version (the version you read) so a change someone made since is not overwritten.',
    writes: true,
    inputSchema: withSafety(jsonSchemaOf(UpdateInput)),
    plan: (args) => {
      const input = parseInput(UpdateInput, args);
      return {
        op: tableOperation(tableFor(input.table), 'update'),
        input: { id: input.id, data: input.data, ...(input.expected_version !== undefined ? { expected_version: input.expected_version } : {}) },
      };
    },
  },
  {
    name: 'lookup',
    title: 'Look something up',
    description:
      'Run any read-only operation that has no tool of its own: capacity, pipeline value, deal overview, hours against the estimate, what was built and where, a training brief, support metrics, usage and LLM cost summaries, the portfolio report, status history, a lead score. describe_schema lists them.',
    writes: false,
    inputSchema: jsonSchemaOf(ActInput),
    plan: (args) => {
      const input = parseInput(ActInput, args);
      const op = agentOperation(input.action);
      if (op.scope !== 'read') throw invalid([{ field: 'action', message: `${op.name} changes data: use act` }]);
      return { op, input: input.input ?? {} };
    },
  },
  {
    name: 'act',
    title: 'Do something else',
    description:
      'Run any operation that changes data and has no tool of its own: complete a meeting, import an org chart, record surveys sent or completed, build the baseline, send or revise a proposal, deploy an MCP server or Skill, link it to a task, complete a session, resolve a ticket, send and pay invoices, archive, restore, reassign. describe_schema lists them with their input. Destructive and bulk operations need confirm: true.',
    writes: true,
    inputSchema: withSafety(jsonSchemaOf(ActInput)),
    plan: (args) => {
      const input = parseInput(ActInput, args);
      return { op: agentOperation(input.action), input: input.input ?? {} };
    },
  },
];

// ---------------------------------------------------------------------------
// Seed 000's acts under the names a person would use

const TrendToolInput = MonthlyInput.omit({ format: true });

type Report = { engagement: Row; month: string; trend: Row[]; rules: Row; roi: Row };

const actTools: McpTool[] = [
  named('log_prospect', 'sales.log_prospect', 'Log a new prospect', {
    description: 'Step 1: a new company (status lead), and the person you met if any; warns of a likely duplicate instead of making one',
  }),
  named('log_interaction', 'sales.log_interaction', 'Log an interaction', {
    description: 'Steps 2, 3 and 20: a call, visit, email or meeting with a company, its outcome and when to follow up; moves a new lead to contacted',
  }),
  named('follow_ups_due', 'sales.follow_ups', 'Follow-ups due', { description: 'Step 3: who needs a follow-up, this week by default' }),
  named('schedule_meeting', 'sales.schedule_meeting', 'Schedule a meeting', { description: 'Step 4: the first meeting (status meeting_scheduled); complete it afterwards with act sales.complete_meeting' }),
  named('start_audit', 'assessment.start_audit', 'Start the audit', { description: 'Step 5: the company moves to auditing; import the org chart next with act assessment.import_org_chart' }),
  named('survey_outstanding', 'assessment.audit_outstanding', 'Who is outstanding on the survey', {
    description: 'Step 5: everyone on the org chart against the surveys sent and answered',
  }),
  named('record_go_no_go', 'assessment.decide', 'Record the go/no-go decision', { description: 'Step 7: the scored decision, with the hours it would take against free capacity' }),
  named('create_proposal', 'assessment.create_proposal', 'Create a proposal', { description: 'Step 8: a proposal from a go decision; send it with act assessment.send_proposal' }),
  named('accept_proposal', 'assessment.accept_proposal', 'Accept a proposal', { description: 'Steps 8–10: the prospect accepted; the company moves to onboarding and its engagement is created' }),
  named('schedule_training', 'delivery.schedule_session', 'Schedule training', { description: 'Step 16: a training session and who is invited to it' }),
  named('log_attendance', 'delivery.record_attendance', 'Log training attendance', { description: 'Step 17: who attended, how it went, what they struggled with' }),
  named('record_task_time', 'delivery.record_measurement', 'Record how long a task takes now', { description: 'Step 18: time after AI for one task, dated, which drives the time saved' }),
  creating('log_work', 'work_completed', 'Log work done', 'Steps 12–13: hours spent on an engagement (mcp_build, skill_creation, training, support…), by whom, on what date.'),
  creating('log_support_ticket', 'support_tickets', 'Log a support ticket', 'Step 20: a support request from the client; it gets a TKT-YYYY-NNN number. Resolve it with act support.resolve_ticket.'),
  named('record_usage', 'usage.ingest', 'Record AI usage', { description: 'Step 21: token usage per person per day for an engagement, as rows (a batch: needs confirm)' }),
  named('monthly_report', 'report.monthly', 'The monthly ROI report', {
    description: 'Step 22: the report of one engagement for one month; html, csv or pdf come back as a file',
  }),
  named('aggregate', 'insights.aggregate', 'Add up the numbers', {
    description:
      'Answers "how many hours did Smith save last quarter?", "won value per owner this year", "tickets per week" from the records, never from a guess: one measure over a period, grouped by up to two dimensions, read-only and only over what you may see. ' +
      'Find the person or company first (search), then filter by its id. The dashboards behind it are read with lookup: insights.funnel, insights.acquisition, insights.sales, insights.delivery, insights.money, insights.calibration',
  }),
  named('roi_trend', 'report.monthly', 'The trend over the months', {
    description: 'Step 23: hours saved, value, cost and ROI month by month (up to six months ending with the month given), with the change from the first month to the last',
    schema: TrendToolInput,
    input: (args) => parseInput(TrendToolInput, args),
    present: (result) => {
      const r = result as Report;
      const first = r.trend[0];
      const last = r.trend[r.trend.length - 1];
      return {
        engagement: r.engagement,
        month: r.month,
        trend: r.trend,
        change: first && last ? { from: first.month, to: last.month, hours_saved: [first.hours_saved, last.hours_saved], value: [first.value, last.value], roi_percent: [first.roi_percent, last.roi_percent] } : null,
        currency: r.roi.currency,
        rules: r.rules,
      };
    },
  }),
];

export const tools: McpTool[] = [...actTools, ...genericTools];
export const toolByName = new Map(tools.map((t) => [t.name, t]));

const takesLimit = (op: Operation) => op.kind === 'list' || Boolean((op.input as unknown as { shape?: Row }).shape?.limit);

/**
 * Whatever page size an agent asks of a list (or of an operation with a limit, such as the
 * follow-ups), it gets at most AGENT_MAX_LIMIT rows: lists page with their cursor.
 */
export function capList(op: Operation, input: unknown): unknown {
  if (!takesLimit(op) || !input || typeof input !== 'object' || Array.isArray(input)) return input;
  const limit = (input as Row).limit;
  const n = typeof limit === 'number' || (typeof limit === 'string' && limit.trim() !== '') ? Number(limit) : op.kind === 'list' ? AGENT_DEFAULT_LIMIT : AGENT_MAX_LIMIT;
  return { ...(input as Row), limit: Number.isFinite(n) ? Math.min(Math.max(1, Math.trunc(n)), AGENT_MAX_LIMIT) : AGENT_DEFAULT_LIMIT };
}
