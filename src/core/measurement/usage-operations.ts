import type { Operation } from '../registry.ts';

export const usageOperations: Operation[] = [];
