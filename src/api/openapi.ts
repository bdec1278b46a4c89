/** The OpenAPI 3.1 document, generated from the registry and the resources' fields. */
import { z } from 'zod';
import { ERROR_CODES } from '../core/errors.ts';
import type { Field } from '../core/fields.ts';
import type { Operation } from '../core/registry.ts';
import { FILTER_OPS, MAX_LIMIT, type Resource } from '../core/resource.ts';

type Json = Record<string, unknown>;

function fieldSchema(f: Field): Json {
  const base: Json = (() => {
    switch (f.kind) {
      case 'uuid':
        return { type: 'string', format: 'uuid' };
      case 'enum':
        return { type: 'string', enum: [...(f.enumValues ?? [])] };
      case 'integer':
      case 'bigint':
        return { type: 'integer' };
      case 'numeric':
        return { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: `exact decimal, up to ${f.scale ?? 0} places` };
      case 'boolean':
        return { type: 'boolean' };
      case 'timestamp':
        return { type: 'string', format: 'date-time' };
      case 'date':
        return { type: 'string', format: 'date' };
      case 'json':
        return {};
      case 'text_array':
        return { type: 'array', items: { type: 'string' } };
      default:
        return { type: 'string' };
    }
  })();
  return f.nullable && f.kind !== 'json' ? { ...base, type: [base.type ?? 'string', 'null'] } : base;
}

const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

function resourceSchemas(res: Resource): Record<string, Json> {
  const name = pascal(res.name);
  const row: Json = {
    type: 'object',
    description: res.summary,
    properties: Object.fromEntries(res.output.map((f) => [f.name, fieldSchema(f)])),
    required: res.output.map((f) => f.name),
  };
  const out: Record<string, Json> = { [name]: row };
  if (res.mode !== 'readonly') {
    out[`${name}Create`] = {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(res.writable.map((f) => [f.name, fieldSchema(f)])),
      required: res.writable.filter((f) => !f.nullable && !f.hasDefault).map((f) => f.name).concat(res.required ?? []),
    };
    out[`${name}Update`] = {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(res.writable.filter((f) => !res.immutable.includes(f.name)).map((f) => [f.name, fieldSchema(f)])),
    };
  }
  return out;
}

const problemRef = { $ref: '#/components/responses/Problem' };
const rateLimitedRef = { $ref: '#/components/responses/RateLimited' };
const ref = (n: string) => ({ $ref: `#/components/schemas/${n}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });

function inputJsonSchema(op: Operation): Json {
  try {
    return z.toJSONSchema(op.input, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  } catch {
    return { type: 'object' };
  }
}

/** The component name of an action's documented result: insights.funnel → InsightsFunnelResult. */
export const resultSchemaName = (op: Operation) => `${op.name.split(/[._]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}Result`;

function outputJsonSchema(op: Operation): Json | undefined {
  if (!op.output) return undefined;
  try {
    const { $schema: _drop, ...schema } = z.toJSONSchema(op.output, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    return schema;
  } catch {
    return undefined;
  }
}

function operationObject(op: Operation): Json {
  const res = op.resource;
  const name = res ? pascal(res.name) : '';
  const pathParams = [...op.http.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: m[1] === 'id' ? { type: 'string', format: 'uuid' } : { type: 'string' },
  }));
  const o: Json = {
    operationId: op.name,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(op.public ? { security: [], 'x-public': true } : {}),
    'x-scope': op.scope,
    'x-destructive': op.destructive,
    parameters: [...pathParams],
    responses: { '429': rateLimitedRef, default: problemRef } as Json,
  };
  const params = o.parameters as Json[];
  const responses = o.responses as Json;
  const ok = String(op.http.status ?? 200);
  const ifMatch = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The ETag you read; a stale one gets 412' };
  const idem = { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'A retry with the same key and body returns the first response; a different body is refused' };
  switch (op.kind) {
    case 'list': {
      params.push(
        { name: 'sort', in: 'query', schema: { type: 'string', enum: res!.sortable.flatMap((s) => [s, `-${s}`]) } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 } },
        { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 }, description: `Searches ${res!.search.join(', ') || 'nothing'}` },
        { name: 'archived', in: 'query', schema: { type: 'string', enum: ['exclude', 'include', 'only'], default: 'exclude' } },
        ...res!.filterable.map((f) => ({
          name: f,
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: `Equals; or use ${f}[op] with op one of ${FILTER_OPS.join(', ')}`,
        })),
      );
      responses['200'] = {
        description: 'A page of records',
        content: json({ type: 'object', properties: { items: { type: 'array', items: ref(name) }, next_cursor: { type: ['string', 'null'] } }, required: ['items', 'next_cursor'] }),
      };
      break;
    }
    case 'get':
    case 'archive':
    case 'restore':
      if (op.kind !== 'get') params.push(ifMatch);
      responses['200'] = { description: 'The record', headers: { ETag: { schema: { type: 'string' } } }, content: json(ref(name)) };
      break;
    case 'create':
      params.push(idem);
      o.requestBody = { required: true, content: json(ref(`${name}Create`)) };
      responses['201'] = { description: 'Created', headers: { ETag: { schema: { type: 'string' } }, Location: { schema: { type: 'string' } } }, content: json(ref(name)) };
      break;
    case 'bulk_create':
      params.push(idem);
      o.requestBody = { required: true, content: json({ type: 'object', properties: { items: { type: 'array', maxItems: 10000, items: ref(`${name}Create`) } }, required: ['items'] }) };
      responses['201'] = { description: 'Created', content: json({ type: 'object', properties: { ids: { type: 'array', items: { type: 'string', format: 'uuid' } } } }) };
      break;
    case 'update':
      params.push(ifMatch);
      o.requestBody = { required: true, content: json(ref(`${name}Update`)) };
      responses['200'] = { description: 'The changed record', content: json(ref(name)) };
      break;
    case 'delete':
      responses['200'] = { description: 'Deleted', content: json({ type: 'object', properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } }) };
      break;
    case 'action': {
      const schema = inputJsonSchema(op);
      const props = { ...((schema.properties as Json | undefined) ?? {}) };
      for (const p of pathParams) delete props[p.name as string];
      if (op.http.method === 'get') {
        for (const [k, v] of Object.entries(props)) params.push({ name: k, in: 'query', required: false, schema: v });
      } else {
        params.push(idem);
        // An action that changes one versioned record takes its ETag as If-Match, like an update (src/api/app.ts).
        if ('expected_version' in props) params.push(ifMatch);
        const required = ((schema.required as string[] | undefined) ?? []).filter((r) => !pathParams.some((p) => p.name === r));
        o.requestBody = { required: true, content: json({ type: 'object', properties: props, ...(required.length ? { required } : {}), additionalProperties: false }) };
      }
      const result: Json = { description: 'Result', content: json(op.output && outputJsonSchema(op) ? ref(resultSchemaName(op)) : { type: 'object' }) };
      if (op.download) {
        const files: Record<string, string> = { html: 'text/html', csv: 'text/csv', pdf: 'application/pdf', zip: 'application/zip' };
        const binary = new Set(['pdf', 'zip']);
        // An operation that takes a `format` answers JSON or a file; one without always answers its file.
        const choosesFormat = 'format' in ((schema.properties as Json | undefined) ?? {});
        const content: Json = choosesFormat ? (result.content as Json) : {};
        for (const f of op.download.formats) if (files[f]) content[files[f]] = { schema: { type: 'string', ...(binary.has(f) ? { format: 'binary' } : {}) } };
        result.content = content;
        result.description = choosesFormat
          ? `The result as JSON, or as a file with \`format=${op.download.formats.filter((f) => f !== 'json').join('|')}\``
          : `The file (${op.download.formats.join(', ')})`;
      }
      responses[ok] = result;
      break;
    }
  }
  return o;
}

export function buildOpenApi(operations: Operation[]): Json {
  const paths: Record<string, Json> = {};
  const schemas: Record<string, Json> = {};
  const seen = new Set<string>();
  for (const op of operations) {
    (paths[op.http.path] ??= {})[op.http.method] = operationObject(op);
    const output = op.kind === 'action' ? outputJsonSchema(op) : undefined;
    if (output) schemas[resultSchemaName(op)] = output;
    if (op.resource && !seen.has(op.resource.name)) {
      seen.add(op.resource.name);
      Object.assign(schemas, resourceSchemas(op.resource));
    }
  }
  schemas.Problem = {
    type: 'object',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      code: { type: 'string', enum: [...ERROR_CODES] },
      detail: { type: 'string' },
      request_id: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] } },
      allowed: { type: 'array', items: { type: 'string' }, description: 'For a refused status move: the allowed next statuses' },
      retry_after_seconds: { type: 'integer', minimum: 1, description: 'For RATE_LIMITED: seconds until the limit resets, as in Retry-After' },
      retry_after: { type: ['integer', 'null'], description: 'For a 429 (RATE_LIMITED or a sign-in throttle): seconds to wait, as in Retry-After; null while sign-in is blocked' },
    },
    required: ['type', 'title', 'status', 'code', 'detail', 'request_id'],
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Throughline API',
      version: '1',
      description: 'Sales pipeline, assessment, delivery and measured ROI for an AI consultancy. Money is exact: decimal strings with a currency code.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    // Every operation needs one of these unless it says `security: []` (sign-in).
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (`tl_…`, from POST /api/v1/api_keys) or the session token returned by POST /api/v1/auth/login.',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'throughline_session',
          description: 'Set by POST /api/v1/auth/login. Changes (POST, PATCH, DELETE) made with the cookie must carry an Origin or Referer header of this site.',
        },
      },
      schemas,
      responses: {
        Problem: { description: 'An error (RFC 9457 problem details)', content: { 'application/problem+json': { schema: ref('Problem') } } },
        RateLimited: {
          description:
            'Too many requests: RATE_LIMITED, past the requests per minute allowed per API key or session and per client address (or LIMIT_EXCEEDED from the sign-in throttle)',
          headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 }, description: 'Seconds to wait before trying again' } },
          content: { 'application/problem+json': { schema: ref('Problem') } },
        },
      },
    },
  };
}
