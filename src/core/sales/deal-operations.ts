/** Deals and account health (seed 004) as registry operations. */
import type { Operation } from '../registry.ts';

export const dealOperations: Operation[] = [];
