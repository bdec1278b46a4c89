/** JSON Schema from the zod schemas the API validates with: one conversion for the MCP tools, the web app's forms and the schema description. */
import { z } from 'zod';

export type JsonSchema = { type?: string; properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };

const cache = new WeakMap<z.ZodType, JsonSchema>();

/** The input JSON Schema of a zod schema (cached: schemas are module constants). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let s = cache.get(schema);
  if (!s) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    s = rest as JsonSchema;
    cache.set(schema, s);
  }
  return s;
}
