/**
 * Identity in the core: passwords, users, sessions, the lockout rule, TOTP and API keys.
 * Clocks are fixed through ctx.now; argon2 runs at a test-only cost (production defaults are
 * checked once). Every refusal is checked against the database, not only the error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../src/core/context.ts';
import { apiKeyActor, userActor } from '../src/core/identity/actor.ts';
import { authenticateApiKey, createApiKey, revokeApiKey } from '../src/core/identity/api-keys.ts';
import { COMMON_PASSWORDS } from '../src/core/identity/common-passwords.ts';
import { liftLoginBlock } from '../src/core/identity/login-throttle.ts';
import { ARGON2_DEFAULTS, DAY_MS, type IdentityConfig } from '../src/core/identity/options.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../src/core/identity/passwords.ts';
import { authenticateSession, login, logout } from '../src/core/identity/sessions.ts';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  disableTotp,
  regenerateRecoveryCodes,
  totpStatus,
} from '../src/core/identity/totp.ts';
import { changeRole, createUser, disableUser, enableUser, setPassword } from '../src/core/identity/users.ts';
import type { PublicUser } from '../src/core/identity/user-record.ts';
import type { UserRole } from '../src/db/schema/platform.ts';
import { archiveRecord, deleteRecord } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import { pruneExpired } from '../src/core/platform/maintenance.ts';
import { counts, dbSuite } from './db.ts';
import { refusal } from './refusal.ts';

/** A test-only argon2 cost: production hashes take tens of milliseconds each. */
const FAST: IdentityConfig = { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 }, secretKey: randomBytes(32) };
/** Monday 2 March 2026, 09:00:00 UTC: a multiple of 30 s, so TOTP steps start on it. */
const T0 = new Date('2026-03-02T09:00:00Z');
const plus = (ms: number, from = T0) => new Date(from.getTime() + ms);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

const uniq = () => randomBytes(4).toString('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');


describe('password policy', () => {
  const person = { email: 'jo.smith@example.com', name: 'Jo Smith' };

  it('wants 8 to 256 characters and accepts long passphrases', () => {
    expect(checkPasswordPolicy('Tr0ub4!', person)).toEqual(['must be at least 8 characters']);
    expect(checkPasswordPolicy('x'.repeat(257), person)).toEqual(['must be at most 256 characters']);
    expect(checkPasswordPolicy('correct horse battery staple', person)).toEqual([]);
    expect(checkPasswordPolicy('granite-lantern-orbit', person)).toEqual([]);
    expect(checkPasswordPolicy('ein Kätzchen schläft im Sonnenlicht', person)).toEqual([]);
    expect(checkPasswordPolicy('a'.repeat(200) + ' long passphrase that keeps going', person)).toEqual([]);
  });

  it('refuses the most common passwords, whatever the case and trailing digits', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(1000);
    for (const pw of ['password', '12345678', 'qwerty123', 'Password1', 'iloveyou', 'Summer2026!', 'letmein!!', 'P@ssw0rd', 'football1234', '123456789!', 'qwertyuiop!!']) {
      expect(checkPasswordPolicy(pw, person), pw).toContain('is one of the most commonly used passwords');
    }
  });

  it("refuses the email's local part and the person's name", () => {
    expect(checkPasswordPolicy('my-JO.SMITH-2026', person)).toContain('must not contain your email address');
    expect(checkPasswordPolicy('jo smith', person)).toContain('must not be your name');
    expect(checkPasswordPolicy('JoSmith', { ...person, name: 'Jo Smith' })).toContain('must be at least 8 characters');
    expect(checkPasswordPolicy('Jo Smith', person)).toContain('must not be your name');
  });
});

describe('password hashing', () => {
  it('uses argon2id with the documented production cost', async () => {
    const h = await hashPassword('correct horse battery staple');
    expect(h.startsWith('$argon2id$')).toBe(true);
    expect(h).toContain(`m=${ARGON2_DEFAULTS.memoryCost},t=${ARGON2_DEFAULTS.timeCost},p=${ARGON2_DEFAULTS.parallelism}`);
    expect(await verifyPassword(h, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(h, 'correct horse battery stapler')).toBe(false);
  });

  it('salts every hash and treats a malformed stored hash as a mismatch', async () => {
    const a = await hashPassword('granite-lantern-orbit', FAST.argon2);
    const b = await hashPassword('granite-lantern-orbit', FAST.argon2);
    expect(a).not.toBe(b);
    expect(await verifyPassword('not a hash', 'granite-lantern-orbit')).toBe(false);
  });
});

dbSuite('identity', ({ database, ctx }) => {
  /** Every plain secret the tests see; none may appear anywhere in the database. */
  const secrets: string[] = [];
  const at = (now: Date, actor?: Actor) => ctx({ now: () => now, ...(actor ? { actor } : {}) });
  const admin = () => ctx({ now: () => T0 });

  async function newUser(role: UserRole = 'editor', password = `orbit-${uniq()}-lantern`): Promise<{ user: PublicUser; password: string; email: string }> {
    const email = `person.${uniq()}@example.com`;
    const user = await createUser(admin(), { email, name: `Person ${uniq()}`, role, password }, FAST);
    secrets.push(password);
    return { user, password, email };
  }

  async function signIn(email: string, password: string, opts: { now?: Date; ip?: string; totp?: string; config?: IdentityConfig } = {}) {
    const r = await login(
      at(opts.now ?? T0),
      { email, password, ip: opts.ip ?? '203.0.113.7', user_agent: 'vitest', ...(opts.totp ? { totp: opts.totp } : {}) },
      opts.config ?? FAST,
    );
    secrets.push(r.token);
    return r;
  }

  type AuditRow = { action: string; operation: string | null; actor_type: string; actor_id: string | null; before: any; after: any };
  /** Audit rows of a record, in operation-name order: rows written at one instant have no order of their own. */
  async function audit(recordId: string): Promise<AuditRow[]> {
    return database().query<AuditRow>(
      'select action, operation, actor_type, actor_id, before, after from audit_log where record_id = $1 order by operation, at',
      [recordId],
    );
  }
  async function auditOf(recordId: string, operation: string): Promise<AuditRow | undefined> {
    return (await audit(recordId)).find((r) => r.operation === operation);
  }

  describe('users', () => {
    it('creates a user with an argon2id hash and an audit row that omits it', async () => {
      const { user } = await newUser('viewer');
      expect(user).not.toHaveProperty('password_hash');
      const [row] = await database().query<{ password_hash: string }>('select password_hash from users where id = $1', [user.id]);
      expect(row!.password_hash.startsWith('$argon2id$')).toBe(true);
      const rows = await audit(user.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'create', operation: 'identity.create_user' });
      expect(rows[0]!.after).not.toHaveProperty('password_hash');
    });

    it('keeps emails unique whatever their case', async () => {
      const { email } = await newUser();
      const e = await refusal(createUser(admin(), { email: email.toUpperCase(), name: 'Twin', role: 'viewer' }, FAST));
      expect(e.code).toBe('CONFLICT');
      expect(e.details.fields).toEqual([{ field: 'email', message: 'already exists' }]);
    });

    it('refuses a weak password, naming the field, and writes nothing', async () => {
      const before = await counts(database(), ['users', 'audit_log']);
      const e = await refusal(createUser(admin(), { email: `w.${uniq()}@example.com`, name: 'Weak', role: 'viewer', password: 'qwerty123' }, FAST));
      expect(e.code).toBe('VALIDATION');
      expect(e.details.fields).toEqual([{ field: 'password', message: 'is one of the most commonly used passwords' }]);
      expect(await counts(database(), ['users', 'audit_log'])).toEqual(before);
    });

    it('lets only administrators create users', async () => {
      const { user: editor } = await newUser('editor');
      const before = await counts(database(), ['users', 'audit_log']);
      for (const role of ['admin', 'viewer'] as const) {
        const e = await refusal(createUser(at(T0, userActor(editor)), { email: `x.${uniq()}@example.com`, name: 'X', role }, FAST));
        expect(e.code).toBe('FORBIDDEN');
      }
      expect(await counts(database(), ['users', 'audit_log'])).toEqual(before);
    });

    it('refuses an editor changing their own role, and leaves the row as it was', async () => {
      const { user: editor } = await newUser('editor');
      const e = await refusal(changeRole(at(T0, userActor(editor)), { user_id: editor.id, role: 'admin' }));
      expect(e.code).toBe('FORBIDDEN');
      const [row] = await database().query<{ role: string; version: number }>('select role, version from users where id = $1', [editor.id]);
      expect(row).toEqual({ role: 'editor', version: 1 });
    });

    it('lets only administrators disable and enable users', async () => {
      const { user: editor } = await newUser('editor');
      const { user: other } = await newUser('viewer');
      const before = await counts(database(), ['sessions', 'audit_log']);
      expect((await refusal(disableUser(at(T0, userActor(editor)), { user_id: other.id }))).code).toBe('FORBIDDEN');
      await disableUser(admin(), { user_id: other.id });
      expect((await refusal(enableUser(at(T0, userActor(editor)), { user_id: other.id }))).code).toBe('FORBIDDEN');
      const [row] = await database().query<{ disabled_at: Date | null }>('select disabled_at from users where id = $1', [other.id]);
      expect(row!.disabled_at).not.toBeNull();
      expect((await counts(database(), ['audit_log'])).audit_log).toBe(before.audit_log! + 1);
    });

    it('lets an administrator change a role, with before and after in the audit', async () => {
      const { user } = await newUser('viewer');
      const changed = await changeRole(admin(), { user_id: user.id, role: 'editor' });
      expect(changed.role).toBe('editor');
      expect(await auditOf(user.id, 'identity.change_role')).toMatchObject({
        action: 'update',
        before: { role: 'viewer' },
        after: { role: 'editor' },
      });
    });

    it('refuses an editor setting another user\'s password', async () => {
      const { user: editor } = await newUser('editor');
      const { user: other } = await newUser('viewer');
      const [before] = await database().query('select password_hash from users where id = $1', [other.id]);
      const e = await refusal(setPassword(at(T0, userActor(editor)), { user_id: other.id, password: 'a-brand-new-passphrase' }, FAST));
      expect(e.code).toBe('FORBIDDEN');
      const [after] = await database().query('select password_hash from users where id = $1', [other.id]);
      expect(after).toEqual(before);
    });
  });

  describe('sign-in', () => {
    it('signs in with a new random session whose token is stored only hashed', async () => {
      const { user, email, password } = await newUser();
      const a = await signIn(email.toUpperCase(), password);
      const b = await signIn(email, password);
      expect(a.user.id).toBe(user.id);
      expect(a.user).not.toHaveProperty('password_hash');
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.session).not.toHaveProperty('token_hash');
      expect(b.session.id).not.toBe(a.session.id);
      expect(b.token).not.toBe(a.token);
      expect(a.session.expires).toEqual(plus(14 * DAY_MS));
      const [row] = await database().query<{ token_hash: string }>('select token_hash from sessions where id = $1', [a.session.id]);
      expect(row!.token_hash).toBe(sha256(a.token));
      expect(await audit(a.session.id)).toEqual([
        expect.objectContaining({ action: 'create', operation: 'identity.login', actor_type: 'user', actor_id: user.id }),
      ]);
    });

    it('answers an unknown email exactly like a wrong password, and records both refusals', async () => {
      const { email } = await newUser();
      const wrong = await refusal(login(at(T0), { email, password: 'not-the-password', ip: '192.0.2.1' }, FAST));
      const unknown = await refusal(login(at(T0), { email: `nobody.${uniq()}@example.com`, password: 'not-the-password', ip: '192.0.2.1' }, FAST));
      expect(wrong.code).toBe('UNAUTHORIZED');
      expect(unknown.code).toBe(wrong.code);
      expect(unknown.message).toBe(wrong.message);
      expect(unknown.details).toEqual(wrong.details);
      const refused = await database().query<{ after: any }>(
        // The address is kept anonymised (its last octet zeroed).
        "select after from audit_log where action = 'refused' and operation = 'identity.login' and ip_address = '192.0.2.0'",
      );
      expect(refused.map((r) => r.after.reason)).toEqual(['bad_credentials', 'bad_credentials']);
    });

    it('slows down repeated failures from one source, and a success resets the count', async () => {
      const { email, password } = await newUser();
      const ip = '192.0.2.10';
      for (let i = 0; i < 5; i++) expect((await refusal(signIn(email, 'wrong-guess-here', { ip }))).code).toBe('UNAUTHORIZED');
      // The sixth try at the same instant is turned away before the password is even checked.
      const wait = await refusal(signIn(email, password, { ip }));
      expect(wait.code).toBe('LIMIT_EXCEEDED');
      expect(wait.details.retry_after).toBe(1);
      expect((await refusal(signIn(email, 'wrong-guess-here', { ip, now: plus(SECOND) }))).code).toBe('UNAUTHORIZED');
      const longer = await refusal(signIn(email, password, { ip, now: plus(SECOND) }));
      expect(longer.details.retry_after).toBe(2);
      // Unknown accounts are throttled the same way, so throttling reveals nothing.
      const ghost = `ghost.${uniq()}@example.com`;
      for (let i = 0; i < 5; i++) await refusal(signIn(ghost, 'wrong-guess-here', { ip }));
      expect((await refusal(signIn(ghost, 'wrong-guess-here', { ip }))).details.retry_after).toBe(1);

      await signIn(email, password, { ip, now: plus(3 * SECOND) });
      const [left] = await database().query<{ n: number }>('select count(*)::int as n from login_attempts where source = $1', [ip]);
      expect(left!.n).toBe(1); // only the unknown account's run remains
      expect((await refusal(signIn(email, 'wrong-guess-here', { ip, now: plus(4 * SECOND) }))).code).toBe('UNAUTHORIZED');
      await signIn(email, password, { ip, now: plus(4 * SECOND) });
    });

    it('blocks an account from one source after 100 failures while another source still signs in, until an admin lifts it', async () => {
      const { email, password, user } = await newUser();
      const attacker = '198.51.100.66';
      let now = T0;
      for (let i = 0; i < 100; i++) {
        now = plus(16 * MINUTE, now); // past the longest delay, so every try is a real guess
        expect((await refusal(signIn(email, `guess-number-${i}`, { ip: attacker, now }))).code).toBe('UNAUTHORIZED');
      }
      now = plus(DAY_MS, now);
      const blocked = await refusal(signIn(email, password, { ip: attacker, now }));
      expect(blocked.code).toBe('LIMIT_EXCEEDED');
      expect(blocked.details.reason).toBe('login_blocked');

      const real = await signIn(email, password, { ip: '203.0.113.99', now });
      expect(real.user.id).toBe(user.id);

      const { user: editor } = await newUser('editor');
      expect((await refusal(liftLoginBlock(at(now, userActor(editor)), { email }))).code).toBe('FORBIDDEN');
      expect((await refusal(signIn(email, password, { ip: attacker, now }))).code).toBe('LIMIT_EXCEEDED');

      expect(await liftLoginBlock(at(now), { email: email.toUpperCase(), source: attacker })).toEqual({ cleared: 1 });
      await signIn(email, password, { ip: attacker, now });
      const lifted = await database().query<{ operation: string; before: any }>(
        "select operation, before from audit_log where table_name = 'login_attempts' and operation = 'identity.lift_login_block'",
      );
      expect(lifted.some((r) => r.before.source === attacker && r.before.failures === 100)).toBe(true);
    });

    it('refuses a disabled user, and disabling ends their sessions', async () => {
      const { user, email, password } = await newUser();
      const s = await signIn(email, password);
      const r = await disableUser(admin(), { user_id: user.id });
      expect(r.sessions_revoked).toBe(1);
      expect((await refusal(authenticateSession(at(T0), s.token))).code).toBe('UNAUTHORIZED');
      const e = await refusal(signIn(email, password));
      expect(e.code).toBe('UNAUTHORIZED');
      expect(e.message).toMatch(/disabled/);
      await enableUser(admin(), { user_id: user.id });
      expect((await refusal(authenticateSession(at(T0), s.token))).code).toBe('UNAUTHORIZED');
      await signIn(email, password);
      expect((await audit(user.id)).map((a) => a.operation)).toEqual([
        'identity.create_user',
        'identity.disable_user',
        'identity.enable_user',
      ]);
      expect(await auditOf(user.id, 'identity.disable_user')).toMatchObject({ before: { disabled_at: null }, after: { sessions_revoked: 1 } });
    });
  });

  describe('sessions', () => {
    it('authenticates until expiry, and the length is a parameter', async () => {
      const { user, email, password } = await newUser();
      const s = await signIn(email, password);
      expect((await authenticateSession(at(plus(14 * DAY_MS - 1)), s.token)).user.id).toBe(user.id);
      expect((await refusal(authenticateSession(at(plus(14 * DAY_MS)), s.token))).code).toBe('UNAUTHORIZED');
      const short = await signIn(email, password, { config: { ...FAST, sessionTtlMs: 60 * MINUTE } });
      await authenticateSession(at(plus(59 * MINUTE)), short.token);
      expect((await refusal(authenticateSession(at(plus(60 * MINUTE)), short.token))).code).toBe('UNAUTHORIZED');
    });

    it('records when a session was last seen, at most once a minute', async () => {
      const { email, password } = await newUser();
      const s = await signIn(email, password);
      expect((await authenticateSession(at(plus(30 * SECOND)), s.token)).session.last_seen_at).toEqual(T0);
      expect((await authenticateSession(at(plus(2 * MINUTE)), s.token)).session.last_seen_at).toEqual(plus(2 * MINUTE));
      expect((await authenticateSession(at(plus(2 * MINUTE + 10 * SECOND)), s.token)).session.last_seen_at).toEqual(plus(2 * MINUTE));
    });

    it('refuses tokens that are not ours with the same answer', async () => {
      const a = await refusal(authenticateSession(at(T0), randomBytes(32).toString('base64url')));
      const b = await refusal(authenticateSession(at(T0), 'short'));
      expect(a.code).toBe('UNAUTHORIZED');
      expect(b.message).toBe(a.message);
    });

    it('logs out at once; replaying the token fails and a second logout changes nothing', async () => {
      const { user, email, password } = await newUser();
      const s = await signIn(email, password);
      const other = await signIn(email, password);
      expect(await logout(at(T0), s.token)).toEqual({ revoked: true });
      expect((await refusal(authenticateSession(at(T0), s.token))).code).toBe('UNAUTHORIZED');
      expect(await logout(at(T0), s.token)).toEqual({ revoked: false });
      expect((await authenticateSession(at(T0), other.token)).user.id).toBe(user.id);
      expect(await audit(s.session.id)).toEqual([
        expect.objectContaining({ action: 'create', operation: 'identity.login' }),
        expect.objectContaining({ action: 'update', operation: 'identity.logout', actor_id: user.id }),
      ]);
    });

    it('changing your password needs the current one and ends every session', async () => {
      const { user, email, password } = await newUser();
      const s1 = await signIn(email, password);
      await signIn(email, password);
      const self = at(T0, userActor(user));
      const missing = await refusal(setPassword(self, { user_id: user.id, password: 'a-brand-new-passphrase' }, FAST));
      expect(missing.code).toBe('VALIDATION');
      expect(missing.details.fields?.[0]?.field).toBe('current_password');
      const wrong = await refusal(setPassword(self, { user_id: user.id, password: 'a-brand-new-passphrase', current_password: 'nope-nope' }, FAST));
      expect(wrong.code).toBe('FORBIDDEN');
      const weak = await refusal(setPassword(self, { user_id: user.id, password: 'password1', current_password: password }, FAST));
      expect(weak.details.fields?.[0]?.field).toBe('password');
      expect((await authenticateSession(at(T0), s1.token)).user.id).toBe(user.id);

      const next = `fresh-${uniq()}-passphrase`;
      secrets.push(next);
      const r = await setPassword(self, { user_id: user.id, password: next, current_password: password }, FAST);
      expect(r.sessions_revoked).toBe(2);
      expect((await refusal(authenticateSession(at(T0), s1.token))).code).toBe('UNAUTHORIZED');
      expect((await refusal(signIn(email, password))).code).toBe('UNAUTHORIZED');
      await signIn(email, next);
      expect(await auditOf(user.id, 'identity.set_password')).toMatchObject({
        after: { password: 'changed', sessions_revoked: 2 },
      });
    });

    it('an administrator resets another password without the current one', async () => {
      const { user, email } = await newUser();
      const next = `reset-${uniq()}-passphrase`;
      secrets.push(next);
      await setPassword(admin(), { user_id: user.id, password: next }, FAST);
      await signIn(email, next);
    });
  });

  describe('TOTP', () => {
    const codeAt = (secret: string, when: Date) =>
      new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: when.getTime() });

    async function enrolled(role: UserRole = 'editor') {
      const u = await newUser(role);
      const self = at(T0, userActor(u.user));
      const { secret, uri } = await beginTotpEnrolment(self, { user_id: u.user.id, password: u.password }, FAST);
      secrets.push(secret);
      expect(uri).toMatch(/^otpauth:\/\/totp\/Throughline:/);
      expect(uri).toContain(`secret=${secret}`);
      const { recovery_codes } = await confirmTotpEnrolment(self, { user_id: u.user.id, password: u.password, code: codeAt(secret, T0) }, FAST);
      secrets.push(...recovery_codes);
      return { ...u, secret, recovery_codes };
    }

    it('enrols only with the password and the first valid code, keeping the secret encrypted', async () => {
      const { user, password } = await newUser();
      const self = at(T0, userActor(user));
      expect((await refusal(beginTotpEnrolment(self, { user_id: user.id, password: 'wrong-password' }, FAST))).code).toBe('FORBIDDEN');
      expect((await refusal(beginTotpEnrolment(self, { user_id: user.id }, FAST))).code).toBe('VALIDATION');
      expect(await database().query('select id from user_totp where user_id = $1', [user.id])).toEqual([]);
      const { secret } = await beginTotpEnrolment(self, { user_id: user.id, password }, FAST);
      secrets.push(secret);
      const bad = await refusal(confirmTotpEnrolment(self, { user_id: user.id, password, code: codeAt(secret, plus(5 * MINUTE)) }, FAST));
      expect(bad.code).toBe('VALIDATION');
      expect(bad.details.fields?.[0]?.field).toBe('code');
      expect(await totpStatus(at(T0, userActor(user)), { user_id: user.id })).toEqual({ enabled: false, pending: true, recovery_codes_left: 0 });
      const { recovery_codes } = await confirmTotpEnrolment(self, { user_id: user.id, password, code: codeAt(secret, T0) }, FAST);
      secrets.push(...recovery_codes);
      expect(recovery_codes).toHaveLength(10);
      expect(new Set(recovery_codes).size).toBe(10);
      for (const c of recovery_codes) expect(c).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
      const [row] = await database().query<{ secret_encrypted: string; recovery_code_hashes: string[] }>(
        'select secret_encrypted, recovery_code_hashes from user_totp where user_id = $1',
        [user.id],
      );
      expect(row!.secret_encrypted).not.toContain(secret);
      expect(row!.recovery_code_hashes).toHaveLength(10);
      const [totpRow] = await database().query<{ id: string }>('select id from user_totp where user_id = $1', [user.id]);
      expect((await audit(totpRow!.id)).map((a) => a.operation)).toEqual(['identity.totp_enabled', 'identity.totp_enrolment_started']);
    });

    it('asks for the code, accepts one step either side of now, and never the same code twice', async () => {
      const { email, password, secret } = await enrolled();
      const now = plus(60 * SECOND + 15 * SECOND); // step s+2, 15 s in
      const missing = await refusal(signIn(email, password, { now }));
      expect(missing.code).toBe('UNAUTHORIZED');
      expect(missing.details.second_factor).toBe('totp');

      const previous = codeAt(secret, plus(-30 * SECOND, now));
      const s = await signIn(email, password, { now, totp: previous });
      expect((await audit(s.session.id))[0]!.after.second_factor).toBe('totp');
      expect((await refusal(signIn(email, password, { now, totp: previous }))).message).toMatch(/code is not correct/);
      await signIn(email, password, { now, totp: codeAt(secret, plus(30 * SECOND, now)) });

      const later = plus(5 * MINUTE, now);
      expect((await refusal(signIn(email, password, { now: later, totp: codeAt(secret, plus(60 * SECOND, later)) }))).code).toBe('UNAUTHORIZED');
      expect((await refusal(signIn(email, password, { now: later, totp: codeAt(secret, plus(-60 * SECOND, later)) }))).code).toBe('UNAUTHORIZED');
      await signIn(email, password, { now: later, totp: codeAt(secret, later) });
    });

    it('accepts each recovery code once, in any case and spacing', async () => {
      const { user, email, password, recovery_codes } = await enrolled();
      const code = recovery_codes[3]!;
      const s = await signIn(email, password, { totp: code.toUpperCase().replace(/-/g, ' ') });
      expect((await audit(s.session.id))[0]!.after.second_factor).toBe('recovery_code');
      expect((await refusal(signIn(email, password, { totp: code }))).code).toBe('UNAUTHORIZED');
      expect(await totpStatus(at(T0, userActor(user)), { user_id: user.id })).toEqual({ enabled: true, pending: false, recovery_codes_left: 9 });
      const [row] = await database().query<{ id: string }>('select id from user_totp where user_id = $1', [user.id]);
      expect(await auditOf(row!.id, 'identity.recovery_code_used')).toMatchObject({ action: 'update', after: { recovery_codes_left: 9 } });

      const { user: boss } = await newUser('admin');
      // Nobody else, administrators included, may mint someone's recovery codes.
      expect((await refusal(regenerateRecoveryCodes(at(T0, userActor(boss)), { user_id: user.id }, FAST))).code).toBe('VALIDATION');
      expect((await refusal(regenerateRecoveryCodes(at(T0, userActor(boss)), { user_id: user.id, password: 'a-wrong-guess' }, FAST))).code).toBe('FORBIDDEN');
      const fresh = await regenerateRecoveryCodes(at(T0, userActor(user)), { user_id: user.id, password }, FAST);
      expect(await auditOf(row!.id, 'identity.recovery_codes_regenerated')).toMatchObject({ before: { recovery_codes: 9 }, after: { recovery_codes: 10 } });
      secrets.push(...fresh.recovery_codes);
      expect((await refusal(signIn(email, password, { totp: recovery_codes[4]! }))).code).toBe('UNAUTHORIZED');
      await signIn(email, password, { totp: fresh.recovery_codes[0]! });
    });

    it('makes TOTP mandatory for administrators when configured, with a clear error', async () => {
      const required: IdentityConfig = { ...FAST, requireAdminTotp: true };
      const a = await newUser('admin');
      const e = await refusal(signIn(a.email, a.password, { config: required }));
      expect(e.code).toBe('FORBIDDEN');
      expect(e.details.reason).toBe('totp_enrolment_required');
      expect(e.message).toMatch(/enrol/);
      const ed = await newUser('editor');
      await signIn(ed.email, ed.password, { config: required });

      const b = await enrolled('admin');
      const now = plus(2 * MINUTE);
      await signIn(b.email, b.password, { config: required, now, totp: codeAt(b.secret, now) });
    });

    it('can be turned off by its user with the password, or by an administrator for someone else', async () => {
      const one = await enrolled();
      const e = await refusal(disableTotp(at(T0, userActor(one.user)), { user_id: one.user.id }, FAST));
      expect(e.code).toBe('VALIDATION');
      expect(await disableTotp(at(T0, userActor(one.user)), { user_id: one.user.id, password: one.password }, FAST)).toEqual({ disabled: true });
      await signIn(one.email, one.password);

      const two = await enrolled();
      const { user: editor } = await newUser('editor');
      expect((await refusal(disableTotp(at(T0, userActor(editor)), { user_id: two.user.id }, FAST))).code).toBe('VALIDATION');
      const { user: boss } = await newUser('admin');
      const [row] = await database().query<{ id: string }>('select id from user_totp where user_id = $1', [two.user.id]);
      expect(await disableTotp(at(T0, userActor(boss)), { user_id: two.user.id }, FAST)).toEqual({ disabled: true });
      await signIn(two.email, two.password);
      expect(await auditOf(row!.id, 'identity.totp_disabled')).toMatchObject({ action: 'delete', actor_id: boss.id });
    });
  });

  describe('API keys', () => {
    it('shows the key once and stores only its prefix and hash, nowhere else', async () => {
      const { user } = await newUser('editor');
      const { key, api_key } = await createApiKey(at(T0, userActor(user)), { name: 'Zapier' });
      expect(key).toMatch(/^tl_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
      expect(api_key).not.toHaveProperty('key_hash');
      expect(api_key).toMatchObject({ user_id: user.id, role: 'editor', name: 'Zapier', prefix: key.slice(3, 13) });
      const [row] = await database().query<{ key_hash: string }>('select key_hash from api_keys where id = $1', [api_key.id]);
      expect(row!.key_hash).toBe(sha256(key));
      const secret = key.slice(14);
      for (const table of ['api_keys', 'audit_log']) {
        const [hit] = await database().query<{ n: number }>(
          `select count(*)::int as n from "${table}" t where t::text like $1 or t::text like $2`,
          [`%${key}%`, `%${secret}%`],
        );
        expect(hit!.n, table).toBe(0);
      }
      expect(await audit(api_key.id)).toEqual([expect.objectContaining({ action: 'create', operation: 'identity.create_api_key', actor_id: user.id })]);
      secrets.push(key);
    });

    it('authenticates a key as its owner with the lower of the two roles, and follows role changes', async () => {
      await newUser('admin'); // so this one can be demoted below
      const { user } = await newUser('admin');
      const full = await createApiKey(at(T0, userActor(user)), { name: 'ops' });
      const reader = await createApiKey(at(T0, userActor(user)), { name: 'reports', role: 'viewer' });
      secrets.push(full.key, reader.key);
      const a = await authenticateApiKey(at(T0), full.key);
      expect(a.user.id).toBe(user.id);
      expect(apiKeyActor(a.user, a.key)).toEqual({
        type: 'api_key',
        id: full.api_key.id,
        label: expect.stringContaining(full.api_key.prefix),
        role: 'admin',
        onBehalfOf: user.id,
      });
      const r = await authenticateApiKey(at(T0), reader.key);
      expect(apiKeyActor(r.user, r.key).role).toBe('viewer');
      await changeRole(admin(), { user_id: user.id, role: 'editor' });
      const demoted = await authenticateApiKey(at(T0), full.key);
      expect(apiKeyActor(demoted.user, demoted.key).role).toBe('editor');
    });

    it('refuses an editor minting an admin key, writing nothing', async () => {
      const { user } = await newUser('editor');
      const before = await counts(database(), ['api_keys', 'audit_log']);
      const e = await refusal(createApiKey(at(T0, userActor(user)), { name: 'escalate', role: 'admin' }));
      expect(e.code).toBe('FORBIDDEN');
      expect(e.details.fields).toEqual([{ field: 'role', message: 'must be at most editor' }]);
      expect(await counts(database(), ['api_keys', 'audit_log'])).toEqual(before);
    });

    it('refuses keys minted by a key or by nobody, and past expiry dates', async () => {
      const { user } = await newUser('editor');
      const { key } = await createApiKey(at(T0, userActor(user)), { name: 'first' });
      secrets.push(key);
      const auth = await authenticateApiKey(at(T0), key);
      expect((await refusal(createApiKey(at(T0, apiKeyActor(auth.user, auth.key)), { name: 'child' }))).code).toBe('FORBIDDEN');
      expect((await refusal(createApiKey(at(T0), { name: 'local' }))).code).toBe('FORBIDDEN');
      const past = await refusal(createApiKey(at(T0, userActor(user)), { name: 'old', expires_at: plus(-1) }));
      expect(past.code).toBe('VALIDATION');
      expect(past.details.fields?.[0]?.field).toBe('expires_at');
    });

    it('a revoked key is refused at once; only its owner or an administrator can revoke it', async () => {
      const { user } = await newUser('editor');
      const { user: stranger } = await newUser('editor');
      const { key, api_key } = await createApiKey(at(T0, userActor(user)), { name: 'ci' });
      secrets.push(key);
      await authenticateApiKey(at(T0), key);
      expect((await refusal(revokeApiKey(at(T0, userActor(stranger)), { id: api_key.id }))).code).toBe('NOT_FOUND');
      await authenticateApiKey(at(T0), key);
      const revoked = await revokeApiKey(at(T0, userActor(user)), { id: api_key.id });
      expect(revoked.revoked_at).toEqual(T0);
      const e = await refusal(authenticateApiKey(at(T0), key));
      expect(e.code).toBe('UNAUTHORIZED');
      expect(await auditOf(api_key.id, 'identity.revoke_api_key')).toMatchObject({ action: 'update', actor_id: user.id });

      const other = await createApiKey(at(T0, userActor(user)), { name: 'other' });
      secrets.push(other.key);
      await revokeApiKey(admin(), { id: other.api_key.id });
      expect((await refusal(authenticateApiKey(at(T0), other.key))).code).toBe('UNAUTHORIZED');
    });

    it('an expired key, a disabled owner and a malformed key are all UNAUTHORIZED', async () => {
      const { user } = await newUser('viewer');
      const { key } = await createApiKey(at(T0, userActor(user)), { name: 'short-lived', expires_at: plus(60 * MINUTE).toISOString() });
      secrets.push(key);
      await authenticateApiKey(at(plus(59 * MINUTE)), key);
      const expired = await refusal(authenticateApiKey(at(plus(60 * MINUTE)), key));
      expect(expired.code).toBe('UNAUTHORIZED');

      const lasting = await createApiKey(at(T0, userActor(user)), { name: 'lasting' });
      secrets.push(lasting.key);
      await disableUser(admin(), { user_id: user.id });
      expect((await refusal(authenticateApiKey(at(T0), lasting.key))).message).toBe(expired.message);
      await enableUser(admin(), { user_id: user.id });
      await authenticateApiKey(at(T0), lasting.key);

      const tampered = `${lasting.key.slice(0, -1)}${lasting.key.endsWith('A') ? 'B' : 'A'}`;
      for (const bad of [tampered, 'tl_zz_nope', '', 'Bearer x', `${lasting.key} `]) {
        expect((await refusal(authenticateApiKey(at(T0), bad))).message).toBe(expired.message);
      }
    });

    it('records last use at most once a minute', async () => {
      const { user } = await newUser('viewer');
      const { key, api_key } = await createApiKey(at(T0, userActor(user)), { name: 'poller' });
      secrets.push(key);
      expect(api_key.last_used_at).toBeNull();
      expect((await authenticateApiKey(at(plus(SECOND)), key)).key.last_used_at).toEqual(plus(SECOND));
      expect((await authenticateApiKey(at(plus(30 * SECOND)), key)).key.last_used_at).toEqual(plus(SECOND));
      expect((await authenticateApiKey(at(plus(62 * SECOND)), key)).key.last_used_at).toEqual(plus(62 * SECOND));
    });
  });

  describe('the last administrator', () => {
    it('cannot be demoted or disabled', async () => {
      await newUser('admin');
      const { user: keeper } = await newUser('admin');
      const others = await database().query<{ id: string }>(
        "select id from users where role = 'admin' and disabled_at is null and archived_at is null and id <> $1",
        [keeper.id],
      );
      for (const o of others) await changeRole(admin(), { user_id: o.id, role: 'editor' });
      const demote = await refusal(changeRole(admin(), { user_id: keeper.id, role: 'viewer' }));
      expect(demote.code).toBe('CONFLICT');
      expect(demote.details.reason).toBe('last_admin');
      expect((await refusal(disableUser(admin(), { user_id: keeper.id }))).details.reason).toBe('last_admin');
      const [row] = await database().query<{ role: string; disabled_at: unknown }>('select role, disabled_at from users where id = $1', [keeper.id]);
      expect(row).toEqual({ role: 'admin', disabled_at: null });
      // Nor archived or deleted through the generic operations.
      const users = resource('users');
      expect((await refusal(archiveRecord(admin(), users, keeper.id))).details.reason).toBe('last_admin');
      expect((await refusal(deleteRecord(admin(), users, keeper.id))).details.reason).toBe('last_admin');
      const [kept] = await database().query<{ archived_at: unknown }>('select archived_at from users where id = $1', [keeper.id]);
      expect(kept).toEqual({ archived_at: null });
      await changeRole(admin(), { user_id: others[0]!.id, role: 'admin' });
      await changeRole(admin(), { user_id: keeper.id, role: 'viewer' });
    });
  });

  describe('housekeeping', () => {
    it('removes quiet sign-in counters and old idempotency keys, keeps blocks and anything recent, and leaves ended sessions to their retention policy', async () => {
      const { user, email, password } = await newUser('viewer');
      const old = new Date(T0.getTime() - 40 * DAY_MS);
      const recent = new Date(T0.getTime() - 2 * DAY_MS);
      await database().query(
        `insert into login_attempts (account_key, source, failures, last_failed_at, blocked_at) values
           ('hk-quiet', '198.51.100.1', 3, $1, null), ('hk-blocked', '198.51.100.1', 100, $1, $1), ('hk-recent', '198.51.100.1', 2, $2, null)`,
        [old, recent],
      );
      const live = await signIn(email, password, { now: T0 });
      const ended = await signIn(email, password, { now: old });
      await database().query('update sessions set expires = $1 where id = $2', [new Date(old.getTime() + 3_600_000), ended.session.id]);
      await database().query('insert into idempotency_keys (key, actor, method, path, request_hash, status_code, created_at) values ($1, $2, $3, $4, $5, 201, $6), ($7, $2, $3, $4, $5, 201, $8)', [
        `hk-old-${uniq()}`, `user:${user.id}`, 'POST', '/api/v1/companies', 'x', new Date(T0.getTime() - 2 * DAY_MS), `hk-new-${uniq()}`, new Date(T0.getTime() - 3_600_000),
      ]);
      const pruned = await pruneExpired(admin());
      expect(pruned.login_attempts).toBeGreaterThanOrEqual(1);
      expect(pruned.idempotency_keys).toBeGreaterThanOrEqual(1);
      const keys = (await database().query<{ account_key: string }>("select account_key from login_attempts where account_key like 'hk-%' order by 1")).map((r) => r.account_key);
      expect(keys).toEqual(['hk-blocked', 'hk-recent']);
      const sessions = (await database().query<{ id: string }>('select id from sessions where user_id = $1', [user.id])).map((r) => r.id);
      // Ended sessions are the `sessions` retention policy's (test/retention.test.ts), whose period an admin sets.
      expect(sessions.sort()).toEqual([live.session.id, ended.session.id].sort());
      const idem = (await database().query<{ key: string }>("select key from idempotency_keys where key like 'hk-%'")).map((r) => r.key);
      expect(idem).toHaveLength(1);
      expect(idem[0]).toMatch(/^hk-new-/);
    });
  });

  it('keeps every plain password, token, key, secret and recovery code out of the database', async () => {
    expect(secrets.length).toBeGreaterThan(50);
    const tables = (await database().query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public'")).map((r) => r.tablename);
    const hits: string[] = [];
    for (const t of tables) {
      const [r] = await database().query<{ found: string | null }>(
        `select (select s from unnest($1::text[]) s where exists (select 1 from "${t}" x where strpos(x::text, s) > 0) limit 1) as found`,
        [secrets],
      );
      if (r!.found) hits.push(`${t}: ${r!.found.slice(0, 6)}…`);
    }
    expect(hits).toEqual([]);
  });
});
