/** The sales assistant's verbs (seed 003): prospect research and outreach drafts through a configured LLM. */
import type { Operation } from '../registry.ts';

export const assistantOperations: Operation[] = [];
