/** Every table the person may read, by module, each with what it holds. */
import { Link } from '../Link.tsx';
import { humanise, useSchema } from '../schema.tsx';
import './imports.css';

const MODULES: Array<[string, string]> = [
  ['sales', 'Sales'],
  ['assessment', 'Assessment'],
  ['delivery', 'Delivery'],
  ['measurement', 'Measurement'],
  ['platform', 'Platform'],
];

export function TablesPage() {
  const schema = useSchema();
  return (
    <section>
      <h1>All tables</h1>
      <p className="muted">Every list you may see. Each has search, filters, saved views and CSV export.</p>
      <div className="card imp-tools">
        <h2>Bring data in / clean it up</h2>
        <ul className="table-index">
          <li>
            <Link to="/imports">Import a CSV file</Link> <small className="muted">Companies, contacts, leads, interactions or AI usage, from HubSpot, Pipedrive or a file of your own</small>
          </li>
          <li>
            <Link to="/duplicates">Duplicates</Link> <small className="muted">Companies and contacts that look like one, merged into the record you keep</small>
          </li>
        </ul>
      </div>
      <div className="grid-2">
        {MODULES.map(([module, title]) => {
          const tables = schema.tables.filter((t) => t.module === module);
          if (!tables.length) return null;
          return (
            <div key={module} className="card">
              <h2>{title}</h2>
              <ul className="table-index">
                {tables.map((t) => (
                  <li key={t.name}>
                    <Link to={`/${t.name}`}>{humanise(t.name)}</Link> <small className="muted">{t.summary}</small>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </div>
    </section>
  );
}
