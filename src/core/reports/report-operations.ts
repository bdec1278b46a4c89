import type { Operation } from '../registry.ts';

export const reportOperations: Operation[] = [];
