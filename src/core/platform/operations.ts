/** Instance settings as registry operations: everyone signed in reads them, administrators change them. */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import { readSettings, SettingsSchema, updateSettings, UpdateSettingsInput } from './settings.ts';

export const platformOperations: Operation[] = [
  {
    name: 'settings.get',
    summary: 'Read the instance settings',
    description: 'Every setting with its current value (the default where never set).',
    tag: 'settings',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({}),
    output: SettingsSchema,
    http: { method: 'get', path: '/api/v1/settings' },
    run: (ctx) => readSettings(ctx),
  },
  {
    name: 'settings.update',
    summary: 'Change instance settings',
    description:
      'Administrators only. Send the settings to change; the others keep their values. `record_visibility` decides which records editors and viewers see: `own` (records they own or are assigned, and what belongs to them), `team` (also every record of a company whose team they are on), or `all`. `retention` sets how many days each kind of personal data is kept (null: forever); see what would go with privacy.retention_preview.',
    tag: 'settings',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: UpdateSettingsInput,
    output: SettingsSchema,
    http: { method: 'patch', path: '/api/v1/settings' },
    run: (ctx, input) => updateSettings(ctx, input),
  },
];
