/** Contact tasks and their measurements: time_after_ai follows the latest measurement. */
import type { Ctx } from '../context.ts';
import type { Row } from '../resource.ts';

export async function measurementWritten(_ctx: Ctx, _row: Row, _before: Row | undefined): Promise<void> {}
export async function measurementRemoved(_ctx: Ctx, _row: Row, _how: 'archive' | 'delete'): Promise<void> {}
export async function measurementsCreated(_ctx: Ctx, _ids: string[]): Promise<void> {}
