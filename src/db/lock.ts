/**
 * An exclusive lock on the embedded data directory: PGlite is a single-process
 * database and two processes writing the same files would corrupt it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type LockHolder = { pid: number; host: string; command: string; started_at: string; url?: string };

export type DataDirLock = {
  release(): void;
  /** Records where the holder serves the API, so the CLI can talk to it instead. */
  announce(url: string): void;
};

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host} ` +
        `(${holder.command}, started ${holder.started_at}). Stop that process first, ` +
        `or point THROUGHLINE_DATA_DIR at another directory.`,
    );
    this.name = 'DataDirLockedError';
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** The live process holding the directory, if any (a stale lock file counts as none). */
export function lockHolder(dataDir: string): LockHolder | undefined {
  const holder = readHolder(path.join(dataDir, 'throughline.lock'));
  if (!holder) return undefined;
  if (holder.host === os.hostname() && !alive(holder.pid)) return undefined;
  return holder;
}

/** Takes the lock or throws DataDirLockedError naming the holder. */
export function lockDataDir(dataDir: string, command = process.argv.slice(1).join(' ')): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'throughline.lock');
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    command: command || 'node',
    started_at: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const holder = readHolder(file);
          if (holder?.pid === me.pid) fs.rmSync(file, { force: true });
        },
        announce(url: string) {
          if (!released) fs.writeFileSync(file, JSON.stringify({ ...me, url }));
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(file);
      // A lock left by a process that no longer exists (a crash, kill -9) is stale.
      // A different host cannot be checked, so it is honoured.
      if (holder && (holder.host !== me.host || alive(holder.pid))) {
        throw new DataDirLockedError(dataDir, holder);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}
