/** The MCP tools as a contract over the registry: few, described, schema'd, and covering every operation an agent may run. */
import { describe, expect, it } from 'vitest';
import { makeCtx } from '../src/core/context.ts';
import { authorize, offeredToAgents as forAgents, operationByName, operations } from '../src/core/registry.ts';
import { resources } from '../src/core/resources.ts';
import { agentOperations, toolByName, tools, type McpTool } from '../src/mcp/tools.ts';

const describeSchema = toolByName.get('describe_schema') as Extract<McpTool, { read: unknown }>;
const describeWith = (args: Record<string, unknown>) => describeSchema.read(args, async () => ({}), { base: 'http://x' }) as Promise<Record<string, any>>;

describe('MCP tools', () => {
  it('are at most 26, uniquely named, titled and described, each with an object input schema', () => {
    expect(tools.length).toBeLessThanOrEqual(26);
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
    for (const t of tools) {
      expect(t.name, t.name).toMatch(/^[a-z][a-z_]{2,40}$/);
      expect(t.title.length, t.name).toBeGreaterThan(3);
      expect(t.description.length, t.name).toBeGreaterThan(20);
      expect(t.inputSchema.type, t.name).toBe('object');
    }
  });

  it('offer dry_run and confirm on every tool that writes, and on none that reads', () => {
    for (const t of tools) {
      const props = Object.keys(t.inputSchema.properties ?? {});
      expect(props.includes('dry_run'), t.name).toBe(t.writes);
      expect(props.includes('confirm'), t.name).toBe(t.writes);
    }
  });

  it('never reach identities, credentials or settings changes, and reach every other operation', () => {
    const names = new Set(agentOperations.map((o) => o.name));
    for (const op of operations) {
      // Identities, credentials, and the secrets that let Throughline act elsewhere.
      const identity = ['identity', 'users', 'api_keys', 'sessions', 'integrations', 'webhooks'].includes(op.tag);
      const allowed = !op.public && op.name !== 'settings.update' && (!identity || ['users.list', 'users.get', 'auth.me'].includes(op.name));
      expect(forAgents(op), op.name).toBe(allowed);
      expect(names.has(op.name), op.name).toBe(allowed);
    }
    for (const n of ['users.create', 'users.set_password', 'api_keys.create', 'api_keys.revoke', 'auth.login', 'users.totp_enrol', 'settings.update', 'integrations.save', 'webhooks.subscribe', 'webhooks.rotate_secret']) {
      expect(names.has(n), n).toBe(false);
    }
  });

  it('hold an agent to them in the core, whatever surface it comes through, even with the administrator role', () => {
    const ctx = makeCtx(undefined as never, { actor: { type: 'agent', id: null, label: 'an agent', role: 'admin', onBehalfOf: null } });
    for (const name of ['users.create', 'api_keys.create', 'settings.update', 'users.set_password']) {
      expect(() => authorize(operationByName.get(name)!, ctx), name).toThrow(expect.objectContaining({ code: 'FORBIDDEN', details: { reason: 'not_for_agents' } }));
    }
    for (const name of ['companies.list', 'companies.delete', 'users.list', 'settings.get', 'sales.log_prospect']) {
      expect(() => authorize(operationByName.get(name)!, ctx), name).not.toThrow();
    }
    const person = { ...ctx, actor: { ...ctx.actor, type: 'user' as const } };
    expect(() => authorize(operationByName.get('users.create')!, person)).not.toThrow();
  });

  it('describe every agent operation with a JSON Schema of its input, and refuse the others by name', async () => {
    for (const op of agentOperations) {
      const d = await describeWith({ action: op.name });
      expect(d.action).toBe(op.name);
      // An object, or a choice of objects (the ROI calculator or a project estimate).
      const shapes = d.input.oneOf ?? d.input.anyOf ?? [d.input];
      for (const shape of shapes) expect(shape.type, op.name).toBe('object');
      expect(d.writes, op.name).toBe(op.scope !== 'read');
      if (op.destructive || op.bulk || op.kind === 'bulk_create') expect(d.confirm_required, op.name).toBe(true);
    }
    await expect(describeWith({ action: 'users.create' })).rejects.toMatchObject({ code: 'NOT_FOUND', details: { fields: [{ field: 'action' }] } });
    const all = await describeWith({});
    const listed = JSON.stringify(all);
    expect(listed).not.toContain('users.create');
    expect(listed).not.toContain('api_keys.create');
    expect(Object.keys(all.tables)).toContain('companies');
    expect(all.write_actions['assessment.send_proposal']).toBeTruthy();
    expect(all.read_actions['delivery.built']).toBeTruthy();
  });

  it('describe every table an agent can list, with fields and what create takes', async () => {
    for (const res of resources.filter((r) => agentOperations.some((o) => o.name === `${r.name}.list`))) {
      const d = await describeWith({ table: res.name });
      expect(d.table).toBe(res.name);
      expect(d.fields.map((f: { name: string }) => f.name)).toContain('id');
      if (agentOperations.some((o) => o.name === `${res.name}.create`)) expect(d.create.type, res.name).toBe('object');
    }
    await expect(describeWith({ table: 'no_such_table' })).rejects.toMatchObject({ code: 'VALIDATION', details: { fields: [{ field: 'table' }] } });
  });
});
