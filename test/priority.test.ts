/**
 * Who goes first when the database is busy (db/priority.ts, ADR 0016): the gate's order and
 * its promise that nobody starves, its accounting through failures, and, on both databases,
 * that an HTTP request for one record overtakes a report that was queued before it.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { operationByName, priorityOf } from '../src/core/registry.ts';
import { currentPriority, PriorityGate, withPriority, type Priority } from '../src/db/priority.ts';
import { signIn } from './auth.ts';
import { dbSuite } from './db.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('PriorityGate', () => {
  it('hands a freed slot to the highest priority first, in arrival order within one', async () => {
    const gate = new PriorityGate(1);
    await gate.acquire('report');
    const order: string[] = [];
    const wait = (name: string, p: Priority) => gate.acquire(p).then(() => order.push(name));
    const all = [wait('report 1', 'report'), wait('background', 'background'), wait('list', 'list'), wait('interactive 1', 'interactive'), wait('report 2', 'report'), wait('interactive 2', 'interactive')];
    expect(gate.waiting()).toEqual({ interactive: 2, list: 1, report: 2, background: 1 });
    for (let i = 0; i < 6; i++) {
      gate.release();
      await tick();
    }
    await Promise.all(all);
    expect(order).toEqual(['interactive 1', 'interactive 2', 'list', 'report 1', 'report 2', 'background']);
    expect(gate.inUse()).toBe(1);
    gate.release();
    expect(gate.inUse()).toBe(0);
  });

  it('chooses the next holder on the next turn, so work that arrives meanwhile is in the line', async () => {
    const gate = new PriorityGate(1);
    await gate.acquire('report');
    const order: string[] = [];
    const queued = gate.acquire('report').then(() => order.push('report, queued before the release'));
    gate.release();
    const arrived = gate.acquire('interactive').then(() => order.push('interactive, arrived after it'));
    await arrived;
    gate.release();
    await queued;
    expect(order).toEqual(['interactive, arrived after it', 'report, queued before the release']);
  });

  it('serves a waiter that has waited its limit before later arrivals of any priority', async () => {
    const gate = new PriorityGate(1, { maxWaitMs: 30 });
    await gate.acquire();
    const order: string[] = [];
    const old = gate.acquire('background').then(() => order.push('background'));
    await new Promise((r) => setTimeout(r, 40));
    const fresh = gate.acquire('interactive').then(() => order.push('interactive'));
    gate.release();
    await tick();
    gate.release();
    await Promise.all([old, fresh]);
    expect(order).toEqual(['background', 'interactive']);
  });

  it('lets anyone in at once while a slot is free, and counts slots back', async () => {
    const gate = new PriorityGate(2);
    await gate.run(async () => {
      await gate.run(async () => expect(gate.inUse()).toBe(2), 'background');
      await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    });
    expect(gate.inUse()).toBe(0);
    expect(() => new PriorityGate(0)).toThrow();
  });

  it('carries the priority through awaits, interactive outside any request', async () => {
    expect(currentPriority()).toBe('interactive');
    await withPriority('report', async () => {
      await tick();
      expect(currentPriority()).toBe('report');
      await withPriority('list', async () => expect(currentPriority()).toBe('list'));
      expect(currentPriority()).toBe('report');
    });
  });

  it('ranks operations: one record interactive, lists list, reports and bulk work report', () => {
    const rank = (name: string) => priorityOf(operationByName.get(name)!);
    expect(rank('companies.get')).toBe('interactive');
    expect(rank('companies.update')).toBe('interactive');
    expect(rank('sales.log_interaction')).toBe('interactive');
    expect(rank('companies.list')).toBe('list');
    expect(rank('sales.follow_ups')).toBe('report');
    expect(rank('report.monthly')).toBe('report');
    expect(rank('insights.sales')).toBe('report');
    expect(rank('contacts.bulk_create')).toBe('report');
    expect(rank('usage.ingest')).toBe('report');
  });
});

dbSuite('database priority', ({ database }) => {
  /**
   * Takes every slot of the database's gate with transactions that wait until freed; `freeOne`
   * ends one of them (so exactly one slot opens), `freeAll` the rest.
   */
  async function occupy(): Promise<{ freeOne(): void; freeAll(): Promise<void> }> {
    const d = database();
    const frees: (() => void)[] = [];
    const held: Promise<unknown>[] = [];
    for (let i = 0; i < d.gate.slots; i++) {
      const freed = new Promise<void>((r) => frees.push(r));
      held.push(withPriority('report', () => d.db.transaction(async (tx) => {
        await tx.execute('select 1' as never);
        await freed;
      })));
    }
    while (d.gate.inUse() < d.gate.slots) await tick();
    return {
      freeOne: () => frees.shift()!(),
      async freeAll() {
        for (const f of frees.splice(0)) f();
        await Promise.all(held);
      },
    };
  }

  it('lets an interactive query overtake a report queued before it, on raw queries and transactions', async () => {
    const d = database();
    const slots = await occupy();
    const order: string[] = [];
    const report = withPriority('report', () => d.query('select 1').then(() => order.push('report')));
    const reportTx = withPriority('report', () => d.db.transaction(async () => order.push('report tx')));
    await tick();
    const interactive = d.query('select 1').then(() => order.push('interactive'));
    await tick();
    expect(d.gate.waiting()).toMatchObject({ interactive: 1, report: 2 });
    // One slot opens: the three take turns in it, the last to arrive first.
    slots.freeOne();
    await Promise.all([report, reportTx, interactive]);
    expect(order).toEqual(['interactive', 'report', 'report tx']);
    await slots.freeAll();
    expect(d.gate.inUse()).toBe(0);
  });

  it('gives the slot back when a query fails or a transaction rolls back', async () => {
    const d = database();
    await expect(d.query('select * from no_such_table')).rejects.toThrow();
    await expect(d.db.transaction(async () => { throw new Error('roll back'); })).rejects.toThrow('roll back');
    expect(d.gate.inUse()).toBe(0);
    expect(await d.query<{ n: number }>('select 1 as n')).toEqual([{ n: 1 }]);
  });

  it('answers a request for one record before the follow-up inbox asked for first', async () => {
    const app = await signIn(createApp({ database: database(), timeZone: 'UTC' }), database());
    const created = await app.request('/api/v1/companies', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Priority Pty Ltd' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const slots = await occupy();
    const order: string[] = [];
    const inbox = Promise.resolve(app.request('/api/v1/sales/follow-ups')).then((r) => order.push(`inbox ${r.status}`));
    await tick();
    const one = Promise.resolve(app.request(`/api/v1/companies/${id}`)).then((r) => order.push(`company ${r.status}`));
    await tick();
    slots.freeOne();
    await Promise.all([inbox, one]);
    expect(order).toEqual(['company 200', 'inbox 200']);
    await slots.freeAll();
  });
});
