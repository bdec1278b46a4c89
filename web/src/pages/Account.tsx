/**
 * Your account: your API keys (the AI assistant's way in, through MCP), your password and
 * second factor; for administrators, the instance settings and new users. Every change goes
 * through the same identity operations as the API and the CLI.
 */
import { useState } from 'react';
import { api, messageOf, type Me } from '../api.ts';
import { Link } from '../Link.tsx';
import { useSchema } from '../schema.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { Alert, Badge, Dialog, formatDateTime, Loaded, Notice, useAsync } from '../ui/ui.tsx';

type ApiKey = { id: string; name: string; prefix: string; role: string; expires_at: string | null; last_used_at: string | null; revoked_at: string | null; created_at: string };
type Totp = { enabled: boolean; pending: boolean; recovery_codes_left: number };

export function AccountPage() {
  const me = useAsync(() => api<Me>('GET', '/api/v1/auth/me'), []);
  return (
    <section>
      <h1>Your account</h1>
      <Loaded state={me}>
        {(m) => (
          <>
            <p className="muted">
              Signed in as {m.actor.label}, with the {m.actor.role} role.
            </p>
            <ApiKeys />
            {m.user && <Digest userId={m.user.id} enabled={m.user.digest_enabled} />}
            {m.actor.id && <Password userId={m.actor.id} />}
            {m.actor.id && <TwoFactor userId={m.actor.id} />}
            {m.actor.role === 'admin' && <Administration />}
          </>
        )}
      </Loaded>
    </section>
  );
}

function ApiKeys() {
  const schema = useSchema();
  const keys = useAsync(() => api<{ items: ApiKey[] }>('GET', '/api/v1/auth/api-keys'), []);
  const [creating, setCreating] = useState(false);
  const [made, setMade] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = schema.operation('api_keys.create');
  const revoke = async (k: ApiKey) => {
    try {
      await api('POST', `/api/v1/api_keys/${k.id}/revoke`);
      keys.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <div className="card account-section">
      <div className="page-head">
        <h2>API keys</h2>
        {create && (
          <button type="button" onClick={() => setCreating(true)}>
            Create an API key
          </button>
        )}
      </div>
      <p className="muted">
        A key lets a program act as you: the AI assistant through MCP (<code>THROUGHLINE_URL</code> and <code>THROUGHLINE_API_KEY</code> for <code>throughline mcp</code>), or a script through the API. It never has more than your role.
      </p>
      {made && (
        <Notice kind="ok">
          Your new key, shown this once: <code className="secret">{made}</code>. Copy it now; only its digest is stored.
        </Notice>
      )}
      <Alert>{error}</Alert>
      <Loaded state={keys}>
        {(k) =>
          k.items.length === 0 ? (
            <p className="empty">You have no API keys.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Role</th>
                    <th scope="col" className="hide-narrow">
                      Last used
                    </th>
                    <th scope="col" className="hide-narrow">
                      Expires
                    </th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {k.items.map((key) => (
                    <tr key={key.id}>
                      <td>{key.name}</td>
                      <td>
                        <code>tl_{key.prefix}_…</code>
                      </td>
                      <td>
                        <Badge tone="plain">{key.role}</Badge>
                      </td>
                      <td className="hide-narrow">{key.last_used_at ? formatDateTime(key.last_used_at) : 'never'}</td>
                      <td className="hide-narrow">{key.expires_at ? formatDateTime(key.expires_at) : 'never'}</td>
                      <td>
                        <button type="button" className="danger small" onClick={() => void revoke(key)} aria-label={`Revoke ${key.name}`}>
                          Revoke
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {create && (
        <Dialog title="Create an API key" open={creating} onClose={() => setCreating(false)}>
          <OperationForm
            op={create}
            submitLabel="Create key"
            onDone={(r) => {
              setMade((r as { key: string }).key);
              setCreating(false);
              keys.reload();
            }}
            onCancel={() => setCreating(false)}
          />
        </Dialog>
      )}
    </div>
  );
}

/** The daily digest: follow-ups, meetings, trainings, tickets and new leads, mailed each morning; each person chooses. */
function Digest({ userId, enabled }: { userId: string; enabled: boolean }) {
  const [on, setOn] = useState(enabled);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (next: boolean) => {
    setBusy(true);
    setError(null);
    setOn(next);
    try {
      const saved = await api<{ digest_enabled: boolean }>('POST', `/api/v1/users/${userId}/digest`, { enabled: next });
      setOn(saved.digest_enabled);
    } catch (e) {
      setOn(!next);
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card account-section">
      <h2>Daily digest</h2>
      <div className="field check">
        <input id="digest-on" type="checkbox" checked={on} disabled={busy} onChange={(e) => void change(e.target.checked)} />
        <label htmlFor="digest-on">Mail me each morning what needs me: follow-ups due, meetings and trainings coming up, tickets waiting, new leads</label>
      </div>
      <Alert>{error}</Alert>
    </div>
  );
}

function Password({ userId }: { userId: string }) {
  const op = useSchema().operation('users.set_password');
  const [done, setDone] = useState(false);
  const [open, setOpen] = useState(false);
  if (!op) return null;
  return (
    <div className="card account-section">
      <div className="page-head">
        <h2>Password</h2>
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Change your password
        </button>
      </div>
      {done && <Notice kind="ok">Your password is changed. Other sessions of yours were signed out.</Notice>}
      <Dialog title="Change your password" open={open} onClose={() => setOpen(false)}>
        <OperationForm
          op={op}
          fixed={{ user_id: userId }}
          submitLabel="Change password"
          onDone={() => {
            setDone(true);
            setOpen(false);
          }}
          onCancel={() => setOpen(false)}
        />
      </Dialog>
    </div>
  );
}

function TwoFactor({ userId }: { userId: string }) {
  const schema = useSchema();
  const status = useAsync(() => api<Totp>('GET', `/api/v1/users/${userId}/totp`), [userId]);
  const [step, setStep] = useState<'enrol' | 'confirm' | 'disable' | null>(null);
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const enrol = schema.operation('users.totp_enrol');
  const confirm = schema.operation('users.totp_confirm');
  const disable = schema.operation('users.totp_disable');
  return (
    <div className="card account-section">
      <h2>Two-factor sign-in</h2>
      <Loaded state={status}>
        {(s) => (
          <>
            <p>
              {s.enabled ? (
                <>
                  <Badge tone="good">On</Badge> {s.recovery_codes_left} recovery codes left.
                </>
              ) : (
                <>
                  <Badge tone="warn">Off</Badge> A code from an authenticator app at each sign-in keeps a stolen password from being enough.
                </>
              )}
            </p>
            <div className="actions">
              {!s.enabled && enrol && (
                <button type="button" onClick={() => setStep('enrol')}>
                  Turn on two-factor sign-in
                </button>
              )}
              {s.enabled && disable && (
                <button type="button" className="secondary" onClick={() => setStep('disable')}>
                  Turn it off
                </button>
              )}
            </div>
          </>
        )}
      </Loaded>
      {secret && step === 'confirm' && (
        <Notice kind="ok">
          Add this secret to your authenticator app: <code className="secret">{secret.secret}</code> (or open <code className="secret">{secret.uri}</code>), then enter the code it shows.
        </Notice>
      )}
      {codes && (
        <Notice kind="ok">
          Two-factor sign-in is on. Keep these recovery codes somewhere safe; each works once: <code className="secret">{codes.join(' ')}</code>
        </Notice>
      )}
      <Dialog title={step === 'disable' ? 'Turn off two-factor sign-in' : step === 'confirm' ? 'Enter the code from your app' : 'Turn on two-factor sign-in'} open={step !== null} onClose={() => setStep(null)}>
        {step === 'enrol' && enrol && (
          <OperationForm
            op={enrol}
            fixed={{ user_id: userId }}
            submitLabel="Continue"
            onDone={(r) => {
              setSecret(r as { secret: string; uri: string });
              setStep('confirm');
            }}
          />
        )}
        {step === 'confirm' && confirm && (
          <>
            {secret && (
              <p>
                Secret: <code className="secret">{secret.secret}</code>
              </p>
            )}
            <OperationForm
              op={confirm}
              fixed={{ user_id: userId }}
              submitLabel="Turn on"
              onDone={(r) => {
                setCodes((r as { recovery_codes?: string[] }).recovery_codes ?? []);
                setSecret(null);
                setStep(null);
                status.reload();
              }}
            />
          </>
        )}
        {step === 'disable' && disable && (
          <OperationForm
            op={disable}
            fixed={{ user_id: userId }}
            submitLabel="Turn off"
            onDone={() => {
              setStep(null);
              status.reload();
            }}
          />
        )}
      </Dialog>
    </div>
  );
}

function Administration() {
  const schema = useSchema();
  const settings = useAsync(() => api<Record<string, unknown>>('GET', '/api/v1/settings'), []);
  const [saved, setSaved] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const update = schema.operation('settings.update');
  const createUser = schema.operation('users.create');
  return (
    <div className="card account-section">
      <div className="page-head">
        <h2>Administration</h2>
        <div className="actions">
          <Link to="/users">Users</Link>
          {createUser && (
            <button type="button" onClick={() => setCreating(true)}>
              Create a user
            </button>
          )}
        </div>
      </div>
      {saved && <Notice kind="ok">{saved}</Notice>}
      <h3>Settings</h3>
      <Loaded state={settings}>
        {(current) =>
          update ? (
            <OperationForm
              key={JSON.stringify(current)}
              op={update}
              initial={current}
              submitLabel="Save settings"
              onDone={() => {
                setSaved('Settings saved.');
                settings.reload();
              }}
            />
          ) : null
        }
      </Loaded>
      {createUser && (
        <Dialog title="Create a user" open={creating} onClose={() => setCreating(false)}>
          <OperationForm
            op={createUser}
            submitLabel="Create user"
            onDone={(r) => {
              setSaved(`User ${String((r as { email?: string }).email ?? '')} created.`);
              setCreating(false);
            }}
            onCancel={() => setCreating(false)}
          />
        </Dialog>
      )}
    </div>
  );
}
