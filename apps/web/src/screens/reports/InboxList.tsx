// Boîte de réception (control services and certifiers): the cases addressed to the caller's
// organisation, newest first.
import { Button } from '@mui/material';
import { Link } from 'react-router-dom';
import { Datagrid, FunctionField, List, SelectInput, TopToolbar, useListContext } from 'react-admin';
import { download, query } from '../../api/http';
import { Failure, ListFailure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import type { Dto } from '../../api/dto';
import { dateTime } from '../../i18n/format';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { HANDLING_STATUS, text } from './parts';

type InboxCase = Dto<'InboxCaseDto'>;

/** « Exporter en CSV »: the whole list with the filters on screen. */
function Exports() {
  const { filterValues } = useListContext();
  const { run, busy, error } = useRun('/inbox');
  return (
    <TopToolbar>
      <Button variant="outlined" disabled={busy} onClick={() => void run(() => download(`/inbox/cases${query({ ...filterValues, format: 'csv' })}`, 'signalements-recus.csv'))}>
        Exporter en CSV
      </Button>
      {error ? <Failure error={error} /> : null}
    </TopToolbar>
  );
}

const filters = [<SelectInput key="status" source="status" label="Traitement" choices={Object.entries(HANDLING_STATUS).map(([id, name]) => ({ id, name }))} alwaysOn />];

export default function InboxList() {
  return (
    <Screen
      title="Boîte de réception des signalements"
      crumbs={[{ label: 'Boîte de réception' }]}
      actions={
        <Button component={Link} to="/boite-de-reception/statistiques" variant="text">
          Statistiques
        </Button>
      }
    >
      <List title={false as never} filters={filters} actions={<Exports />} pagination={<Pager />} perPage={25} exporter={false} empty={false} error={<ListFailure />}>
        <ResultCount noun="dossier" />
        <Datagrid bulkActionButtons={false} rowClick="show" empty={<EmptyList text="Aucun signalement reçu." />} data-testid="inbox">
          <FunctionField label="Signalement" render={(c: InboxCase) => c.report.reference} />
          <FunctionField label="Objet" render={(c: InboxCase) => c.report.title} />
          <FunctionField label="Organisme" render={(c: InboxCase) => c.report.providerName ?? c.report.providerSiret} />
          <FunctionField label="Financeur" render={(c: InboxCase) => c.report.senderName} />
          <FunctionField label="Traitement" render={(c: InboxCase) => text(HANDLING_STATUS, c.handlingStatus)} />
          <FunctionField label="Reçu le" render={(c: InboxCase) => (c.delivery.deliveredAt ? dateTime(c.delivery.deliveredAt) : '—')} />
        </Datagrid>
      </List>
    </Screen>
  );
}
