/**
 * Who goes first when the database is busy. Every request runs under a priority (set by the
 * surface from the operation it calls, see `priorityOf` in core/registry.ts): a single-record
 * read or write is `interactive`, a list page `list`, a report, dashboard, export or inbox
 * that reads across many records `report`, and the worker's rounds `background`. The database
 * is entered through a `PriorityGate` with as many slots as it has connections (one for the
 * embedded database): while every slot is taken, the next free one goes to the waiter of the
 * highest priority, in arrival order within a priority. So a burst of reports queues behind
 * the clicks of the people using the app instead of in front of them (ADR 0016).
 *
 * Nobody waits for ever: a waiter that has waited `maxWaitMs` (two seconds unless given) goes
 * before any later arrival, whatever its priority, so a steady stream of single-record work
 * can slow a report down but never starve it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const PRIORITIES = ['interactive', 'list', 'report', 'background'] as const;
export type Priority = (typeof PRIORITIES)[number];

const current = new AsyncLocalStorage<Priority>();

/** Runs fn, and everything it starts, under this priority. */
export function withPriority<T>(priority: Priority, fn: () => T): T {
  return current.run(priority, fn);
}

/** The priority of the work in progress; work started outside any request counts as interactive. */
export function currentPriority(): Priority {
  return current.getStore() ?? 'interactive';
}

type Waiter = { since: number; resolve: () => void };

export class PriorityGate {
  readonly slots: number;
  readonly maxWaitMs: number;
  private busy = 0;
  private readonly queues: Waiter[][] = PRIORITIES.map(() => []);

  constructor(slots: number, opts: { maxWaitMs?: number } = {}) {
    if (!Number.isInteger(slots) || slots < 1) throw new Error(`PriorityGate: ${slots} is not a number of slots`);
    this.slots = slots;
    this.maxWaitMs = opts.maxWaitMs ?? 2000;
  }

  /** Waiters by priority, for the metrics. */
  waiting(): Record<Priority, number> {
    return Object.fromEntries(PRIORITIES.map((p, i) => [p, this.queues[i]!.length])) as Record<Priority, number>;
  }

  /** Slots in use. */
  inUse(): number {
    return this.busy;
  }

  /** Resolves when a slot is this caller's; it must call release() exactly once afterwards. */
  acquire(priority: Priority = currentPriority()): Promise<void> {
    if (this.busy < this.slots) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queues[PRIORITIES.indexOf(priority)]!.push({ since: performance.now(), resolve }));
  }

  /**
   * Hands the slot to the next waiter, or frees it. The choice is made on the event loop's next
   * turn, not at once: on the embedded database one statement's end resolves the next one's
   * wait without ever returning to the event loop, so requests that arrived meanwhile (still
   * unread on their sockets) would never be in the line to be chosen, and a busy database would
   * serve whoever happened to be queued already, reports and all. The turn lets them in first.
   */
  release(): void {
    if (!this.queues.some((q) => q.length > 0)) {
      this.busy = Math.max(0, this.busy - 1);
      return;
    }
    setImmediate(() => {
      const next = this.next();
      if (next) next.resolve();
      else this.busy = Math.max(0, this.busy - 1);
    });
  }

  /** Runs fn in a slot. */
  async run<T>(fn: () => Promise<T>, priority: Priority = currentPriority()): Promise<T> {
    await this.acquire(priority);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private next(): Waiter | undefined {
    // The longest waiter, if it has waited too long; else the first of the highest priority.
    let oldest: Waiter[] | undefined;
    for (const q of this.queues) if (q.length && (!oldest || q[0]!.since < oldest[0]!.since)) oldest = q;
    if (!oldest) return undefined;
    if (performance.now() - oldest[0]!.since >= this.maxWaitMs) return oldest.shift();
    return this.queues.find((q) => q.length > 0)!.shift();
  }
}
