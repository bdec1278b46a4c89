import type { Operation } from '../registry.ts';

export const billingOperations: Operation[] = [];
