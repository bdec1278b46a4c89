/** Audits and surveys (seed 000 steps 5–6) as registry operations. */
import type { Operation } from '../registry.ts';

export const auditOperations: Operation[] = [];
