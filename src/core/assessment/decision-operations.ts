/** Go/no-go, capacity and proposals (seed 000 steps 7–8) as registry operations. */
import type { Operation } from '../registry.ts';

export const decisionOperations: Operation[] = [];
