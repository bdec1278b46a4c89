/**
 * The demo accounts' passwords. They are published (README, "Demo sign-in"), so they are
 * given only to the demo data of the embedded database, and a server with no other way to
 * sign in refuses to listen beyond this machine.
 */
import type { UserRole } from '../db/schema/platform.ts';

export const DEMO_CREDENTIALS: readonly { email: string; password: string; role: UserRole }[] = [
  { email: 'sam@promptai.com.au', password: 'throughline-demo-admin', role: 'admin' },
  { email: 'priya@promptai.com.au', password: 'throughline-demo-editor', role: 'editor' },
  { email: 'tom@promptai.com.au', password: 'throughline-demo-viewer', role: 'viewer' },
];
