// Signalements: the reports the caller's funder owns or co-signs, newest first.
import { Button } from '@mui/material';
import { Link } from 'react-router-dom';
import { Datagrid, FunctionField, List, SelectInput, TopToolbar, useListContext } from 'react-admin';
import { download, query } from '../../api/http';
import { Failure, ListFailure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import type { Dto } from '../../api/dto';
import { dateTime } from '../../i18n/format';
import { Siret } from '../../ui/fields';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { REPORT_STATUS, ReportStatusChip } from './parts';

type Report = Dto<'ReportDto'>;

/** « Exporter en CSV »: the whole list with the filters on screen. */
function Exports() {
  const { filterValues } = useListContext();
  const { run, busy, error } = useRun('/reports');
  return (
    <TopToolbar>
      <Button variant="outlined" disabled={busy} onClick={() => void run(() => download(`/reports${query({ ...filterValues, format: 'csv' })}`, 'signalements.csv'))}>
        Exporter en CSV
      </Button>
      {error ? <Failure error={error} /> : null}
    </TopToolbar>
  );
}

const filters = [<SelectInput key="status" source="status" label="Statut" choices={Object.entries(REPORT_STATUS).map(([id, name]) => ({ id, name }))} alwaysOn />];

export default function ReportList() {
  return (
    <Screen
      title="Signalements"
      crumbs={[{ label: 'Signalements' }]}
      actions={
        <Button component={Link} to="/signalements/create" variant="contained">
          Nouveau signalement
        </Button>
      }
    >
      <List title={false as never} filters={filters} actions={<Exports />} pagination={<Pager />} perPage={25} exporter={false} empty={false} error={<ListFailure />}>
        <ResultCount noun="signalement" />
        <Datagrid bulkActionButtons={false} rowClick="show" empty={<EmptyList text="Aucun signalement." />} data-testid="reports">
          <FunctionField label="Référence" render={(r: Report) => r.reference} />
          <FunctionField label="Objet" render={(r: Report) => r.title} />
          <FunctionField label="Organisme" render={(r: Report) => r.provider.name ?? ''} />
          <Siret source="provider.siret" label="SIRET" />
          <FunctionField label="Statut" render={(r: Report) => <ReportStatusChip value={r.status} />} />
          <FunctionField label="Rôle" render={(r: Report) => (r.role === 'OWNER' ? 'Auteur' : 'Cosignataire')} />
          <FunctionField label="Créé le" render={(r: Report) => dateTime(r.createdAt)} />
        </Datagrid>
      </List>
    </Screen>
  );
}
