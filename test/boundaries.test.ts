import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { operations } from '../src/core/registry.ts';

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  it('keeps src/core free of adapters (HTTP, CLI, MCP, web)', () => {
    const offenders: string[] = [];
    for (const f of files('src/core')) {
      const src = fs.readFileSync(f, 'utf8');
      for (const m of src.matchAll(/from '([^']+)'/g)) {
        const spec = m[1]!;
        if (/^(hono|@hono\/|commander|@modelcontextprotocol\/|react)/.test(spec) || /\/(api|cli|mcp|web)\//.test(spec) || /^\.\.\/(api|cli|mcp)/.test(spec)) {
          offenders.push(`${f}: ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('gives every operation a unique name and route, a scope and a summary', () => {
    const names = new Set<string>();
    const routes = new Set<string>();
    for (const op of operations) {
      expect(names.has(op.name), op.name).toBe(false);
      names.add(op.name);
      const route = `${op.http.method} ${op.http.path}`;
      expect(routes.has(route), route).toBe(false);
      routes.add(route);
      expect(['read', 'write', 'admin']).toContain(op.scope);
      expect(op.summary.length).toBeGreaterThan(3);
      if (op.kind === 'delete') expect(op.destructive).toBe(true);
    }
  });
});
