/** A new record of any table, from its generated form; `?company_id=…` in the address starts the form with that value (adding a contact from its company). */
import { Link } from '../Link.tsx';
import { navigate, useQuery } from '../router.ts';
import { humanise, singular, useSchema } from '../schema.tsx';
import { RecordForm } from '../ui/RecordForm.tsx';
import { Alert } from '../ui/ui.tsx';

export function NewRecordPage({ table }: { table: string }) {
  const schema = useSchema();
  const t = schema.table(table)!;
  const params = useQuery();
  const initial = Object.fromEntries([...params].filter(([k]) => t.fields.some((f) => f.name === k)));
  const one = singular(table).replace(/_/g, ' ');
  return (
    <section>
      <p>
        <Link to={`/${table}`}>← {humanise(table)}</Link>
      </p>
      <h1>New {one}</h1>
      {t.verbs.includes('create') ? (
        <div className="card">
          <RecordForm table={table} initial={initial} submitLabel={`Create ${one}`} onSaved={(row) => navigate(`/${table}/${String(row.id)}`)} onCancel={() => history.back()} />
        </div>
      ) : (
        <Alert>{humanise(table)} are not created here: {t.actions.length ? `they come from ${t.actions.join(', ')}` : 'the system records them'}.</Alert>
      )}
    </section>
  );
}
