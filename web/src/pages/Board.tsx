/**
 * The pipeline boards (issue 7): companies by status (seed 000) and deals by stage (seed 004)
 * as columns, with the count of each (and, for deals, the value per currency).
 *
 * - The columns and their counts come in one call (sales.board); each column's cards come from
 *   the list route filtered by its key, a page at a time as the column scrolls.
 * - Each column is virtualised: cards have a fixed height and only those in view (plus a few
 *   either side) are in the DOM, so a column of thousands scrolls as lightly as one of ten.
 * - A card dropped on another column runs the same verb as anywhere else in the app: the
 *   company PATCH (status, with If-Match), sales.mark_lost, sales.move_deal, sales.win_deal or
 *   sales.lose_deal. Moves the pipeline does not list are hinted while dragging, but the
 *   server decides: a refusal is shown with the server's reason and the card stays put.
 * - Every card has a "Move to…" button that does the same as a drop, from the keyboard or a
 *   touch screen.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import type { Board, BoardColumn } from '../../../src/core/sales/board.ts';
import { api, ApiError, messageOf, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { setQuery, useQuery } from '../router.ts';
import { useSchema } from '../schema.tsx';
import { Alert, Badge, Dialog, formatDate, formatMoney, formatNumber, Loading, Notice, today } from '../ui/ui.tsx';
import './board.css';

type Kind = 'companies' | 'deals';

/** A card's record as the list route sends it. */
type Card = Record<string, unknown> & { id: string; version: number; name: string };

const KINDS = {
  companies: { pipeline: 'company', table: 'companies', field: 'status', sort: '-updated_at', one: 'company', many: 'companies', title: 'Companies by status', reason: 'lost_reason' },
  deals: { pipeline: 'deal', table: 'deals', field: 'stage', sort: 'expected_close_date', one: 'deal', many: 'deals', title: 'Deals by stage', reason: 'loss_reason' },
} as const;
type KindConf = (typeof KINDS)[Kind];

/** Cards in a column's first request: a few screens' worth, so the board shows quickly. */
const FIRST_PAGE = 50;
/** Cards per later request, as the column scrolls (the list route's maximum). */
const PAGE = 200;
/** Every card is this tall (CSS: .board-card height + the gap), which is what lets a column be windowed. */
const CARD_H = 124;
/** Cards rendered beyond each edge of the visible window. */
const OVERSCAN = 4;

type Column = { items: Card[]; cursor: string | null; loading: boolean; error: string | null; loaded: boolean };
const EMPTY: Column = { items: [], cursor: null, loading: false, error: null, loaded: false };

type Drag = { card: Card; from: BoardColumn };
type MoveRequest = { card: Card; from: BoardColumn; to: string | null };

/** Whether moving to this column asks why (a lost stage keeps its reason). */
const asksReason = (to: BoardColumn) => to.is_lost;
/** Whether the reason is required by the verb the move runs (sales.mark_lost, sales.lose_deal, a lost deal stage). */
const needsReason = (kind: Kind, to: BoardColumn) => to.is_lost && (kind === 'deals' || to.key === 'lost');

export function BoardPage({ kind }: { kind: Kind }) {
  const conf = KINDS[kind];
  const schema = useSchema();
  const q = useQuery().get('q') ?? '';
  const [term, setTerm] = useState(q);
  const [board, setBoard] = useState<Board | null>(null);
  const [boardError, setBoardError] = useState<string | null>(null);
  const [cols, setCols] = useState<Record<string, Column>>({});
  const [companyNames, setCompanyNames] = useState<Record<string, string>>({});
  const [followUps, setFollowUps] = useState<Record<string, { date: string; overdue: boolean }>>({});
  const [drag, setDrag] = useState<Drag | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [moving, setMoving] = useState<MoveRequest | null>(null);
  // Answers to requests made for an earlier board (another kind or search) are dropped.
  const gen = useRef(0);
  const colsRef = useRef(cols);
  colsRef.current = cols;
  // After a move from the dialog, focus follows the card to its new column.
  const focusCard = useRef<string | null>(null);
  useEffect(() => {
    const id = focusCard.current;
    if (!id || moving) return;
    const link = document.querySelector<HTMLElement>(`[data-card="${CSS.escape(id)}"] a`);
    if (link) {
      focusCard.current = null;
      link.focus();
    }
  }, [cols, moving]);

  const mayMove =
    kind === 'companies'
      ? schema.can('companies', 'update')
      : schema.operation('sales.move_deal') !== undefined;

  useEffect(() => setTerm(q), [q]);

  const loadBoard = useCallback(async (mine: number) => {
    try {
      const b = await api<Board>('GET', `/api/v1/pipeline/${conf.pipeline}/board${query({ q })}`);
      if (mine === gen.current) setBoard(b);
      return b;
    } catch (e) {
      if (mine === gen.current) setBoardError(messageOf(e));
      return null;
    }
  }, [conf.pipeline, q]);

  /** Names of the deals' companies, in batches of the `in` filter's 100. */
  const loadCompanyNames = useCallback(async (mine: number, items: Card[]) => {
    const ids = [...new Set(items.map((d) => d.company_id).filter((v): v is string => typeof v === 'string'))];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      try {
        const page = await api<Page<Card>>('GET', `/api/v1/companies${query({ 'id[in]': batch.join(','), limit: 100 })}`);
        if (mine !== gen.current) return;
        setCompanyNames((n) => ({ ...n, ...Object.fromEntries(page.items.map((c) => [c.id, c.name])) }));
      } catch {
        // The deal still shows; its company line is left out.
      }
    }
  }, []);

  const loadPage = useCallback(
    async (mine: number, key: string, cursor: string | null) => {
      setCols((c) => ({ ...c, [key]: { ...(c[key] ?? EMPTY), loading: true, error: null } }));
      try {
        const page = await api<Page<Card>>('GET', `/api/v1/${conf.table}${query({ [conf.field]: key, sort: conf.sort, limit: cursor ? PAGE : FIRST_PAGE, q, cursor })}`);
        if (mine !== gen.current) return;
        setCols((c) => {
          const prev = c[key] ?? EMPTY;
          const seen = new Set(prev.items.map((i) => i.id));
          const items = cursor ? [...prev.items, ...page.items.filter((i) => !seen.has(i.id))] : page.items;
          return { ...c, [key]: { items, cursor: page.next_cursor, loading: false, error: null, loaded: true } };
        });
        if (kind === 'deals') void loadCompanyNames(mine, page.items);
      } catch (e) {
        if (mine !== gen.current) return;
        setCols((c) => ({ ...c, [key]: { ...(c[key] ?? EMPTY), loading: false, error: messageOf(e) } }));
      }
    },
    [conf.table, conf.field, conf.sort, q, kind, loadCompanyNames],
  );

  /** Follow-ups due (this week, overdue included), to show on the company cards; asked after the cards. */
  const loadFollowUps = useCallback(async (mine: number) => {
    try {
      const r = await api<{ items: { follow_up_date: string; overdue: boolean; company: { id: string } | null }[] }>('GET', '/api/v1/sales/follow-ups?limit=500');
      if (mine !== gen.current) return;
      const by: Record<string, { date: string; overdue: boolean }> = {};
      for (const f of r.items) {
        if (!f.company) continue;
        const had = by[f.company.id];
        if (!had || f.follow_up_date < had.date) by[f.company.id] = { date: f.follow_up_date, overdue: f.overdue };
      }
      setFollowUps(by);
    } catch {
      // The cards still show; without their follow-up line.
      if (mine === gen.current) setFollowUps({});
    }
  }, []);

  // A new board (kind or search): the columns, then each column's first page.
  useEffect(() => {
    const mine = ++gen.current;
    setBoard(null);
    setBoardError(null);
    setCols({});
    setProblem(null);
    setDone(null);
    void (async () => {
      const b = await loadBoard(mine);
      if (!b || mine !== gen.current) return;
      setCols(Object.fromEntries(b.columns.map((c) => [c.key, c.count === 0 ? { ...EMPTY, loaded: true } : EMPTY])));
      for (const c of b.columns) if (c.count > 0) void loadPage(mine, c.key, null);
      if (kind === 'companies') void loadFollowUps(mine);
    })();
  }, [kind, loadBoard, loadPage, loadFollowUps]);

  const loadMore = useCallback(
    (key: string) => {
      const c = colsRef.current[key];
      if (!c || c.loading || !c.cursor) return;
      void loadPage(gen.current, key, c.cursor);
    },
    [loadPage],
  );

  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ q: term.trim() || undefined });
  };

  /** Runs the verb for the move; the updated record, or throws the server's refusal. */
  const runVerb = async (card: Card, to: BoardColumn, reason: string | undefined): Promise<Card> => {
    const columns = board?.columns ?? [];
    if (kind === 'companies') {
      if (to.key === 'lost') {
        return api<Card>('POST', `/api/v1/sales/companies/${encodeURIComponent(card.id)}/lost`, { lost_reason: reason ?? '', expected_version: card.version });
      }
      return api<Card>('PATCH', `/api/v1/companies/${encodeURIComponent(card.id)}`, { status: to.key, ...(to.is_lost && reason ? { lost_reason: reason } : {}) }, { 'if-match': `"${card.version}"` });
    }
    const id = encodeURIComponent(card.id);
    const won = columns.find((c) => c.is_won && !c.retired);
    const lost = columns.find((c) => c.is_lost && !c.retired);
    let r: { deal: Card };
    if (won && to.key === won.key) r = await api('POST', `/api/v1/deals/${id}/won`, { expected_version: card.version });
    else if (lost && to.key === lost.key) r = await api('POST', `/api/v1/deals/${id}/lost`, { loss_reason: reason ?? '', expected_version: card.version });
    else r = await api('POST', `/api/v1/deals/${id}/stage`, { stage: to.key, ...(to.is_lost ? { loss_reason: reason ?? '' } : {}), expected_version: card.version });
    return r.deal;
  };

  /** Moves a card: the verb first; on success the card and the counts move, on refusal nothing does. */
  const move = async (card: Card, from: BoardColumn, to: BoardColumn, reason?: string): Promise<string | null> => {
    setProblem(null);
    setDone(null);
    const mine = gen.current;
    let updated: Card;
    try {
      updated = await runVerb(card, to, reason);
    } catch (e) {
      const stale = e instanceof ApiError && e.status === 412;
      const message = `Could not move “${card.name}” to ${to.label}: ${messageOf(e)}${stale ? ' The card now shows the latest version; try again.' : ''}`;
      setProblem(message);
      // Someone changed it meanwhile: show it as it is now (and where it is now).
      if (stale) {
        void api<Card>('GET', `/api/v1/${conf.table}/${encodeURIComponent(card.id)}`).then((fresh) => {
          if (mine !== gen.current) return;
          place(fresh, from.key);
          void loadBoard(mine);
        }, () => {});
      }
      return message;
    }
    if (mine !== gen.current) return null;
    place(updated, from.key);
    setDone(`Moved “${card.name}” to ${to.label}.`);
    // The exact sums (and anyone else's moves) from the server.
    void loadBoard(mine);
    return null;
  };

  /** Puts a record as the server answered it in the column of its status (first), out of the one it was in. */
  const place = (row: Card, fromKey: string) => {
    const toKey = String(row[conf.field]);
    setCols((c) => {
      const src = c[fromKey] ?? EMPTY;
      if (toKey === fromKey) return { ...c, [fromKey]: { ...src, items: src.items.map((i) => (i.id === row.id ? row : i)) } };
      const dst = c[toKey] ?? { ...EMPTY, loaded: true };
      return {
        ...c,
        [fromKey]: { ...src, items: src.items.filter((i) => i.id !== row.id) },
        [toKey]: { ...dst, items: [row, ...dst.items.filter((i) => i.id !== row.id)] },
      };
    });
    if (toKey !== fromKey) {
      setBoard((b) => b && { ...b, columns: b.columns.map((c) => (c.key === fromKey ? { ...c, count: c.count - 1 } : c.key === toKey ? { ...c, count: c.count + 1 } : c)) });
    }
  };

  const drop = (to: BoardColumn) => {
    const d = drag;
    setDrag(null);
    setOver(null);
    if (!d || d.from.key === to.key) return;
    if (asksReason(to)) setMoving({ card: d.card, from: d.from, to: to.key });
    else void move(d.card, d.from, to);
  };

  const switcher = (
    <nav aria-label="Boards" className="board-switch">
      {(['companies', 'deals'] as const).map((k) => (
        <Link key={k} to={`/pipeline/${k}`} className={k === kind ? 'current' : undefined} {...(k === kind ? { ariaCurrent: 'page' as const } : {})}>
          {k === 'companies' ? 'Companies' : 'Deals'}
        </Link>
      ))}
    </nav>
  );

  return (
    <section className="board-page">
      <div className="page-head">
        <h1>Pipeline: {conf.title.toLowerCase()}</h1>
        {board && (
          <p className="board-total muted">
            {formatNumber(board.total)} {board.total === 1 ? conf.one : conf.many}
            {board.q ? ` matching “${board.q}”` : ''}
          </p>
        )}
      </div>
      <div className="toolbar">
        {switcher}
        <form role="search" onSubmit={search} className="board-search">
          <label>
            <span className="visually-hidden">Search {conf.many}</span>
            <input type="search" placeholder={kind === 'companies' ? 'Search by name, website, location' : 'Search deals by name'} value={term} onChange={(e) => setTerm(e.target.value)} />
          </label>
          <button type="submit">Search</button>
          {q && (
            <button type="button" className="secondary" onClick={() => setQuery({})}>
              Clear
            </button>
          )}
        </form>
      </div>
      <Alert>{problem}</Alert>
      {done && <Notice kind="ok">{done}</Notice>}
      {boardError ? (
        <Alert>{boardError}</Alert>
      ) : !board ? (
        <Loading what="the board" />
      ) : (
        <>
          {mayMove && (
            <p className="board-help muted small">
              Drag a card to another column, or use its “Move to…” button. Columns a card may not move to are marked while you drag; the server has the last word.
            </p>
          )}
          <div className="board-columns">
            {board.columns.map((col) => {
              const state = cols[col.key] ?? EMPTY;
              const hint = drag && drag.from.key !== col.key ? (drag.from.next_statuses.includes(col.key) ? 'ok' : 'no') : null;
              return (
                <BoardColumnView
                  key={col.key}
                  column={col}
                  state={state}
                  conf={conf}
                  hint={hint}
                  over={over === col.key}
                  onNeedMore={() => loadMore(col.key)}
                  onRetry={() => void loadPage(gen.current, col.key, state.cursor)}
                  onDragOver={(e) => {
                    if (!drag || drag.from.key === col.key) return;
                    e.preventDefault();
                    e.dataTransfer.dropEffect = 'move';
                    if (over !== col.key) setOver(col.key);
                  }}
                  onDragLeave={(e) => {
                    if (!e.currentTarget.contains(e.relatedTarget as Node | null) && over === col.key) setOver(null);
                  }}
                  onDrop={(e) => {
                    e.preventDefault();
                    drop(col);
                  }}
                  renderCard={(card) => (
                    <CardView
                      card={card}
                      kind={kind}
                      column={col}
                      mayMove={mayMove}
                      companyName={typeof card.company_id === 'string' ? companyNames[card.company_id] : undefined}
                      followUp={followUps[card.id]}
                      dragging={drag?.card.id === card.id}
                      onDragStart={(e) => {
                        e.dataTransfer.effectAllowed = 'move';
                        e.dataTransfer.setData('text/plain', card.id);
                        setProblem(null);
                        setDrag({ card, from: col });
                      }}
                      onDragEnd={() => {
                        setDrag(null);
                        setOver(null);
                      }}
                      onMove={() => setMoving({ card, from: col, to: null })}
                    />
                  )}
                />
              );
            })}
          </div>
        </>
      )}
      {moving && board && (
        <MoveDialog
          request={moving}
          kind={kind}
          columns={board.columns}
          onClose={() => setMoving(null)}
          onMove={async (to, reason) => {
            const target = board.columns.find((c) => c.key === to);
            if (!target) return 'Choose a column to move it to';
            // The card as the board has it now (a refusal may have brought a newer version).
            let card = moving.card;
            let from = moving.from;
            for (const [key, col] of Object.entries(colsRef.current)) {
              const found = col.items.find((i) => i.id === moving.card.id);
              const where = found && board.columns.find((c) => c.key === key);
              if (found && where) [card, from] = [found, where];
            }
            if (from.key === target.key) {
              setMoving(null);
              return null;
            }
            const refused = await move(card, from, target, reason);
            if (!refused) {
              focusCard.current = moving.card.id;
              setMoving(null);
            }
            return refused;
          }}
        />
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------
// A column: its head (label, count, values) and its windowed list of cards

function BoardColumnView(props: {
  column: BoardColumn;
  state: Column;
  conf: KindConf;
  hint: 'ok' | 'no' | null;
  over: boolean;
  onNeedMore: () => void;
  onRetry: () => void;
  onDragOver: (e: DragEvent<HTMLElement>) => void;
  onDragLeave: (e: DragEvent<HTMLElement>) => void;
  onDrop: (e: DragEvent<HTMLElement>) => void;
  renderCard: (card: Card) => ReactNode;
}) {
  const { column, state, conf, hint, over } = props;
  const headingId = useId();
  const cls = ['board-col', hint ? `board-col--${hint}` : '', over ? 'board-col--over' : '', column.is_won ? 'board-col--won' : '', column.is_lost ? 'board-col--lost' : ''].filter(Boolean).join(' ');
  return (
    <section className={cls} aria-labelledby={headingId} onDragOver={props.onDragOver} onDragLeave={props.onDragLeave} onDrop={props.onDrop} data-key={column.key}>
      <header className="board-col-head">
        <h2 id={headingId}>{column.label}</h2>
        <p className="board-count">
          <span className="board-count-n">{formatNumber(column.count)}</span> {column.count === 1 ? conf.one : conf.many}
        </p>
        {column.values && column.values.length > 0 && (
          <p className="board-values">
            {column.values.map((v) => (
              <span key={v.currency} className="board-value">
                {formatMoney(v.value, v.currency)}
              </span>
            ))}
          </p>
        )}
        {column.retired && <Badge tone="warn">no longer a stage</Badge>}
        {hint === 'no' && <p className="board-hint small">Not a next step from here</p>}
        {hint === 'ok' && <p className="board-hint board-hint--ok small">Drop here</p>}
      </header>
      <WindowedList label={`${column.label} ${conf.many}`} items={state.items} total={column.count} hasMore={state.cursor !== null} loading={state.loading} onNeedMore={props.onNeedMore} renderCard={props.renderCard} />
      {state.error && (
        <div className="board-col-error">
          <Alert>{state.error}</Alert>
          <button type="button" className="secondary small" onClick={props.onRetry}>
            Try again
          </button>
        </div>
      )}
      {state.loaded && state.items.length === 0 && !state.error && <p className="empty board-empty">No {conf.many}</p>}
      {!state.loaded && !state.error && state.loading && <p className="loading board-empty">Loading…</p>}
    </section>
  );
}

/**
 * Fixed-height rows in a scrolling box: only the rows in view and OVERSCAN either side are
 * rendered, placed by their index; the list's full height keeps the scrollbar true. Nearing
 * the end of what is loaded asks for the next page.
 */
function WindowedList({ label, items, total, hasMore, loading, onNeedMore, renderCard }: { label: string; items: Card[]; total: number; hasMore: boolean; loading: boolean; onNeedMore: () => void; renderCard: (card: Card) => ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(640);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setHeight(el.clientHeight || 640);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 640));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / CARD_H) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / CARD_H) + OVERSCAN);

  useEffect(() => {
    if (hasMore && !loading && last >= items.length - OVERSCAN) onNeedMore();
  }, [hasMore, loading, last, items.length, onNeedMore]);

  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const card = items[i]!;
    rows.push(
      <li key={card.id} className="board-slot" aria-posinset={i + 1} aria-setsize={Math.max(total, items.length)} style={{ transform: `translateY(${i * CARD_H}px)` }}>
        {renderCard(card)}
      </li>,
    );
  }
  const more = hasMore || loading;
  return (
    // A scroll box reachable from the keyboard (arrow keys scroll it); the cards inside take focus as usual.
    <div className="board-scroll" ref={box} tabIndex={0} role="group" aria-label={label} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <ul className="board-list" style={{ height: `${items.length * CARD_H + (more && items.length ? 40 : 0)}px` }}>
        {rows}
        {more && items.length > 0 && (
          <li className="board-more muted small" style={{ transform: `translateY(${items.length * CARD_H}px)` }}>
            {loading ? 'Loading more…' : ''}
          </li>
        )}
      </ul>
    </div>
  );
}

// ---------------------------------------------------------------------------
// A card

function CardView({ card, kind, column, mayMove, companyName, followUp, dragging, onDragStart, onDragEnd, onMove }: {
  card: Card;
  kind: Kind;
  column: BoardColumn;
  mayMove: boolean;
  companyName: string | undefined;
  followUp: { date: string; overdue: boolean } | undefined;
  dragging: boolean;
  onDragStart: (e: DragEvent<HTMLElement>) => void;
  onDragEnd: () => void;
  onMove: () => void;
}) {
  const str = (k: string) => (typeof card[k] === 'string' && card[k] !== '' ? (card[k] as string) : null);
  const facts: ReactNode[] = [];
  if (kind === 'companies') {
    const where = [str('location'), typeof card.employee_count === 'number' ? `${formatNumber(card.employee_count)} staff` : null].filter(Boolean).join(' · ');
    facts.push(<span key="where">{where || 'No location or size yet'}</span>);
    // A date from the follow-ups due, or a next_follow_up field should the table carry one.
    const next = followUp ?? (str('next_follow_up') ? { date: str('next_follow_up')!, overdue: str('next_follow_up')! < today() } : undefined);
    facts.push(
      next ? (
        <span key="follow" className={next.overdue ? 'board-late' : undefined}>
          Follow up {formatDate(next.date)}
          {next.overdue ? ' (overdue)' : ''}
        </span>
      ) : (
        <span key="follow" className="muted">
          No follow-up due
        </span>
      ),
    );
  } else {
    const value = str('value');
    facts.push(
      <span key="value" className="board-money">
        {value ? formatMoney(value, str('currency')) : 'No value yet'}
        {companyName ? ` · ${companyName}` : ''}
      </span>,
    );
    const close = str('expected_close_date');
    const closed = str('actual_close_date');
    const late = !!close && !closed && !column.is_won && !column.is_lost && close < today();
    facts.push(
      <span key="close" className={late ? 'board-late' : undefined}>
        {closed ? `Closed ${formatDate(closed)}` : close ? `Expected close ${formatDate(close)}${late ? ' (past)' : ''}` : 'No close date'}
      </span>,
    );
  }
  const to = `/${kind}/${encodeURIComponent(card.id)}`;
  return (
    <article className={dragging ? 'board-card board-card--dragging' : 'board-card'} draggable={mayMove} onDragStart={mayMove ? onDragStart : undefined} onDragEnd={onDragEnd} aria-label={card.name} data-card={card.id}>
      <h3 className="board-card-name">
        <Link to={to} title={card.name}>
          {card.name}
        </Link>
      </h3>
      <p className="board-facts">{facts}</p>
      {mayMove && (
        <button type="button" className="secondary small board-move" onClick={onMove} aria-label={`Move ${card.name} to…`} aria-haspopup="dialog">
          Move to…
        </button>
      )}
    </article>
  );
}

// ---------------------------------------------------------------------------
// Moving by keyboard or touch, and asking why a record was lost

function MoveDialog({ request, kind, columns, onClose, onMove }: {
  request: MoveRequest;
  kind: Kind;
  columns: BoardColumn[];
  onClose: () => void;
  onMove: (to: string, reason: string | undefined) => Promise<string | null>;
}) {
  const { card, from } = request;
  const conf = KINDS[kind];
  const others = columns.filter((c) => c.key !== from.key);
  const allowed = others.filter((c) => from.next_statuses.includes(c.key));
  const rest = others.filter((c) => !from.next_statuses.includes(c.key));
  const [to, setTo] = useState(request.to ?? allowed[0]?.key ?? others[0]?.key ?? '');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const target = columns.find((c) => c.key === to);
  const fromLabel = from.label;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!target) return;
    if (target && needsReason(kind, target) && !reason.trim()) {
      setError(`Say why the ${conf.one} was lost.`);
      return;
    }
    setBusy(true);
    setError(null);
    const refused = await onMove(to, target && asksReason(target) ? reason.trim() || undefined : undefined);
    setBusy(false);
    if (refused) setError(refused);
  };

  return (
    <Dialog title={`Move “${card.name}”`} open onClose={onClose}>
      <form onSubmit={submit} className="board-move-form">
        <p className="muted">
          Now in <strong>{fromLabel}</strong>.
        </p>
        <div className="field">
          <label htmlFor="board-move-to">Move to</label>
          <select id="board-move-to" value={to} onChange={(e) => setTo(e.target.value)}>
            {allowed.length > 0 && (
              <optgroup label={`Next steps from ${fromLabel}`}>
                {allowed.map((c) => (
                  <option key={c.key} value={c.key}>
                    {c.label}
                  </option>
                ))}
              </optgroup>
            )}
            {rest.length > 0 && (
              <optgroup label="Not a next step (the server may refuse)">
                {rest.map((c) => (
                  <option key={c.key} value={c.key}>
                    {c.label}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          {target && !from.next_statuses.includes(target.key) && (
            <small>
              The pipeline does not list {target.label} as a next step from {fromLabel}
              {from.next_statuses.length ? '' : ` (${fromLabel} is final)`}.
            </small>
          )}
        </div>
        {target && asksReason(target) && (
          <div className="field">
            <label htmlFor="board-move-reason">
              Why was it lost?{needsReason(kind, target) ? '' : ' (optional)'}
            </label>
            <textarea id="board-move-reason" rows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} aria-required={needsReason(kind, target)} aria-invalid={!!error && needsReason(kind, target) && !reason.trim()} />
            <small>Kept on the {conf.one} as its {conf.reason.replace('_', ' ')}.</small>
          </div>
        )}
        <Alert>{error}</Alert>
        <div className="actions">
          <button type="submit" disabled={busy || !target}>
            {busy ? 'Moving…' : target ? `Move to ${target.label}` : 'Move'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
