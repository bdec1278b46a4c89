export * from './platform.ts';
export * from './catalog.ts';
export * from './sales.ts';
