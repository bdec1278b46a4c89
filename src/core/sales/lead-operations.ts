/** Lead scoring, qualification and conversion (seeds 001, 004) as registry operations. */
import type { Operation } from '../registry.ts';

export const leadOperations: Operation[] = [];
