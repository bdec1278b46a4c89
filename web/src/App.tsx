import { lazy, Suspense, useCallback, useEffect, useState, type ComponentType } from 'react';
import { api, ApiError, type Me } from './api.ts';
import { Link } from './Link.tsx';
import { match, navigate, usePath } from './router.ts';
import { indexSchema, SchemaProvider, type Schema, type SchemaIndex } from './schema.tsx';
import { SearchPalette } from './SearchPalette.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Loading } from './ui/ui.tsx';

type Session = { state: 'loading' } | { state: 'signed-out' } | { state: 'signed-in'; me: Me; schema: SchemaIndex } | { state: 'error'; message: string };

/** Each screen is its own chunk, loaded when first opened: the first load stays small. */
const page = <P extends object>(load: () => Promise<Record<string, unknown>>, name: string) =>
  lazy(async () => ({ default: (await load())[name] as ComponentType<P> }));

const InboxPage = page(() => import('./pages/Inbox.tsx'), 'InboxPage');
const LogProspectPage = page(() => import('./pages/LogProspect.tsx'), 'LogProspectPage');
const BoardPage = page<{ kind: 'companies' | 'deals' }>(() => import('./pages/Board.tsx'), 'BoardPage');
const CompanyPage = page<{ id: string }>(() => import('./pages/Company.tsx'), 'CompanyPage');
const AssessmentPage = page(() => import('./pages/Assessment.tsx'), 'AssessmentPage');
const AuditPage = page<{ id: string }>(() => import('./pages/Audit.tsx'), 'AuditPage');
const DecisionPage = page<{ id: string }>(() => import('./pages/Decision.tsx'), 'DecisionPage');
const ProposalPage = page<{ id: string }>(() => import('./pages/Proposal.tsx'), 'ProposalPage');
const EngagementPage = page<{ id: string }>(() => import('./pages/Engagement.tsx'), 'EngagementPage');
const ReportPage = page(() => import('./pages/Report.tsx'), 'ReportPage');
const RevenuePage = page(() => import('./pages/Revenue.tsx'), 'RevenuePage');
const AccountPage = page(() => import('./pages/Account.tsx'), 'AccountPage');
const TablesPage = page(() => import('./pages/Tables.tsx'), 'TablesPage');
const TablePage = page<{ table: string }>(() => import('./pages/TablePage.tsx'), 'TablePage');
const NewRecordPage = page<{ table: string }>(() => import('./pages/NewRecord.tsx'), 'NewRecordPage');
const RecordPage = page<{ table: string; id: string }>(() => import('./pages/Record.tsx'), 'RecordPage');
const ImportsPage = page(() => import('./pages/Imports.tsx'), 'ImportsPage');
const DuplicatesPage = page(() => import('./pages/Duplicates.tsx'), 'DuplicatesPage');
const ContactPage = page<{ id: string }>(() => import('./pages/Contact.tsx'), 'ContactPage');
const AssistantPage = page(() => import('./pages/Assistant.tsx'), 'AssistantPage');
const CampaignPage = page<{ id: string }>(() => import('./pages/Campaign.tsx'), 'CampaignPage');
const EventPage = page<{ id: string }>(() => import('./pages/Event.tsx'), 'EventPage');
const InsightsPage = page(() => import('./pages/Insights.tsx'), 'InsightsPage');
const PrivacyPage = page<{ kind: 'contact' | 'lead' | 'company'; id: string }>(() => import('./pages/Privacy.tsx'), 'PrivacyPage');
const PrivacyRetentionPage = page(() => import('./pages/PrivacyRetention.tsx'), 'PrivacyRetentionPage');

/** Screens made for a table's records; any other table's record opens the generic record page. */
const RECORD_SCREENS: Record<string, ComponentType<{ id: string }>> = {
  companies: CompanyPage,
  contacts: ContactPage,
  campaigns: CampaignPage,
  events: EventPage,
  audits: AuditPage,
  go_no_go_decisions: DecisionPage,
  proposals: ProposalPage,
  engagements: EngagementPage,
};

function Route({ path, schema }: { path: string; schema: SchemaIndex }) {
  let m: Record<string, string> | null;
  if (path.split('?')[0] === '/' || match('/inbox', path)) return <InboxPage />;
  if (match('/prospects/new', path)) return <LogProspectPage />;
  if (match('/pipeline', path) || match('/pipeline/companies', path)) return <BoardPage kind="companies" />;
  if (match('/pipeline/deals', path)) return <BoardPage kind="deals" />;
  if (match('/assessment', path)) return <AssessmentPage />;
  if (match('/revenue', path)) return <RevenuePage />;
  if (match('/reports/monthly', path)) return <ReportPage />;
  if (match('/tables', path)) return <TablesPage />;
  if (match('/account', path)) return <AccountPage />;
  if (match('/imports', path)) return <ImportsPage />;
  if (match('/duplicates', path)) return <DuplicatesPage />;
  if (match('/assistant', path)) return <AssistantPage />;
  if (match('/insights', path)) return <InsightsPage />;
  if (match('/privacy', path)) return <PrivacyRetentionPage />;
  if ((m = match('/contacts/:id/privacy', path))) return <PrivacyPage kind="contact" id={m.id!} />;
  if ((m = match('/leads/:id/privacy', path))) return <PrivacyPage kind="lead" id={m.id!} />;
  if ((m = match('/companies/:id/privacy', path))) return <PrivacyPage kind="company" id={m.id!} />;
  if ((m = match('/:table/new', path)) && schema.table(m.table!)) return <NewRecordPage table={m.table!} />;
  if ((m = match('/:table/:id', path)) && schema.table(m.table!)) {
    const Screen = RECORD_SCREENS[m.table!];
    return Screen ? <Screen id={m.id!} /> : <RecordPage table={m.table!} id={m.id!} />;
  }
  if ((m = match('/:table', path)) && schema.table(m.table!)) return <TablePage table={m.table!} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is nothing at this address you may see. <Link to="/">Go to the inbox</Link>.
      </p>
    </section>
  );
}

const NAV: Array<[string, string, string?]> = [
  ['/inbox', 'Inbox'],
  ['/pipeline/companies', 'Pipeline', '/pipeline'],
  ['/companies', 'Companies'],
  ['/deals', 'Deals', '/deals'],
  ['/campaigns', 'Campaigns'],
  ['/events', 'Events'],
  ['/assistant', 'Assistant'],
  ['/assessment', 'Assessment'],
  ['/engagements', 'Engagements'],
  ['/revenue', 'Revenue'],
  ['/insights', 'Insights'],
  ['/tables', 'All tables'],
];
/** Pages only administrators may open, listed after the others for them alone (the schema lists their operations only to a role that may run them). */
const ADMIN_NAV: Array<[string, string, string?, string?]> = [['/privacy', 'Privacy', undefined, 'privacy.retention_preview']];

const PublicPages = page<{ path: string }>(() => import('./public/PublicPages.tsx'), 'PublicPages');
/** Pages for website visitors (quiz, ROI calculator, contact form): no sign-in, no schema. */
const isPublicPath = (path: string) => ['/quiz', '/roi-calculator', '/contact', '/embed/contact'].some((p) => match(p, path));

export function App() {
  const path = usePath();
  if (isPublicPath(path)) {
    return (
      <Suspense fallback={<Loading />}>
        <PublicPages path={path} />
      </Suspense>
    );
  }
  return <StaffApp />;
}

function StaffApp() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [searching, setSearching] = useState(false);
  const path = usePath();

  const load = useCallback(async () => {
    try {
      const [me, schema] = await Promise.all([api<Me>('GET', '/api/v1/auth/me'), api<Schema>('GET', '/api/v1/schema')]);
      setSession({ state: 'signed-in', me, schema: indexSchema(schema) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession({ state: 'signed-out' });
      else setSession({ state: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, []);
  useEffect(() => void load(), [load]);

  // Ctrl+K or ⌘K (or / outside a text field) opens the search from anywhere.
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
      if (((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') || (e.key === '/' && !typing)) {
        e.preventDefault();
        setSearching(true);
      }
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  }, []);

  if (session.state === 'loading') return <Loading />;
  if (session.state === 'error') return <p className="page error" role="alert">{session.message}</p>;
  if (session.state === 'signed-out') return <SignIn onSignedIn={load} />;

  const signOut = async () => {
    await api('POST', '/api/v1/auth/logout').catch(() => {});
    setSession({ state: 'signed-out' });
    navigate('/');
  };
  const here = path.split('?')[0]!;
  return (
    <SchemaProvider schema={session.schema}>
      <div className="shell">
        <a href="#main" className="skip">
          Skip to content
        </a>
        <header className="topbar">
          <Link to="/inbox" className="brand">
            Throughline
          </Link>
          <nav aria-label="Main">
            {[...NAV, ...ADMIN_NAV.filter(([, , , op]) => op && session.schema.operation(op))].map(([to, label, prefix]) => {
              const current = here === to || here.startsWith(`${prefix ?? to}/`) || (prefix !== undefined && here === prefix);
              return (
                <Link key={to} to={to} className={current ? 'current' : undefined} {...(current ? { ariaCurrent: 'page' as const } : {})}>
                  {label}
                </Link>
              );
            })}
          </nav>
          <button type="button" className="secondary search-button" onClick={() => setSearching(true)} aria-keyshortcuts="Control+K">
            Search <kbd>Ctrl K</kbd>
          </button>
          <Link to="/account" className="who" title="Your account: API keys, password, two-factor sign-in">
            {session.me.actor.label} · {session.me.actor.role}
          </Link>
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main className="page" id="main" tabIndex={-1}>
          <Suspense fallback={<Loading />}>
            <Route path={path} schema={session.schema} />
          </Suspense>
        </main>
        {searching && <SearchPalette onClose={() => setSearching(false)} />}
      </div>
    </SchemaProvider>
  );
}
