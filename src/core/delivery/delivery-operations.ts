import type { Operation } from '../registry.ts';

export const deliveryOperations: Operation[] = [];
