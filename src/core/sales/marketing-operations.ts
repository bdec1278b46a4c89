/** Campaigns (seed 004) and events (seed 003) as registry operations. */
import type { Operation } from '../registry.ts';

export const marketingOperations: Operation[] = [];
