/** AI-readiness assessment and the ROI calculator (seed 001) as registry operations. */
import type { Operation } from '../registry.ts';

export const readinessOperations: Operation[] = [];
