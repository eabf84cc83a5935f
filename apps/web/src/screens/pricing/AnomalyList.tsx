// Anomalies de prix: the caller's own price anomalies, filters (status, kind, SIRET, still
// flagged), server paging, and the whole filtered list as CSV or XLSX (through the shared client,
// so the bearer token is sent).
import DownloadIcon from '@mui/icons-material/Download';
import { Button, Stack } from '@mui/material';
import { Link } from 'react-router-dom';
import { Datagrid, FunctionField, List, SelectInput, TextInput, TopToolbar, useListContext } from 'react-admin';
import { download, query } from '../../api/http';
import type { Dto } from '../../api/dto';
import { dateTime, euros } from '../../i18n/format';
import { ANOMALY_KIND, ANOMALY_STATUS, CATEGORY, choices, label } from '../../i18n/labels';
import { Siret } from '../../ui/fields';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { Failure, ListFailure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import { StatusChip } from './parts';

type Anomaly = Dto<'AnomalyDto'>;

const filters = [
  <SelectInput key="status" source="status" label="Statut" choices={choices(ANOMALY_STATUS)} alwaysOn />,
  <SelectInput key="kind" source="kind" label="Type" choices={choices(ANOMALY_KIND)} alwaysOn />,
  <TextInput key="providerSiret" source="providerSiret" label="SIRET de l’organisme" />,
  <SelectInput
    key="active"
    source="active"
    label="Toujours signalée"
    choices={[
      { id: 'true', name: 'Oui, par le dernier calcul' },
      { id: 'false', name: 'Non, plus signalée' },
    ]}
  />,
];

/** The export buttons: the whole list with the filters on screen. */
function Exports() {
  const { filterValues } = useListContext();
  const { run, busy, error } = useRun('/anomalies');
  const params = { ...filterValues, providerSiret: typeof filterValues.providerSiret === 'string' ? filterValues.providerSiret.replace(/\s/g, '') : undefined };
  return (
    <TopToolbar sx={{ flexWrap: 'wrap', gap: 1 }}>
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }}>
        <Button variant="outlined" startIcon={<DownloadIcon />} disabled={busy} onClick={() => void run(() => download(`/anomalies${query({ ...params, format: 'csv' })}`, 'anomalies-de-prix.csv'))}>
          Exporter en CSV
        </Button>
        <Button variant="outlined" startIcon={<DownloadIcon />} disabled={busy} onClick={() => void run(() => download(`/anomalies${query({ ...params, format: 'xlsx' })}`, 'anomalies-de-prix.xlsx'))}>
          Exporter en XLSX
        </Button>
      </Stack>
      {error ? <Failure error={error} /> : null}
    </TopToolbar>
  );
}

export default function AnomalyList() {
  return (
    <Screen
      title="Anomalies de prix"
      crumbs={[{ label: 'Anomalies de prix' }]}
      actions={
        <Button component={Link} to="/anomalies/couverture" variant="text">
          Couverture des tests
        </Button>
      }
    >
      <List title={false as never} filters={filters} actions={<Exports />} pagination={<Pager />} perPage={25} exporter={false} empty={false} error={<ListFailure />}>
        <ResultCount noun="anomalie" />
        <Datagrid bulkActionButtons={false} rowClick="show" empty={<EmptyList text="Aucune anomalie de prix ne correspond à ces filtres." />} data-testid="anomalies">
          <FunctionField label="Type" render={(a: Anomaly) => label(ANOMALY_KIND, a.kind)} />
          <FunctionField label="Statut" render={(a: Anomaly) => <StatusChip value={a.status} />} />
          <Siret source="providerSiret" label="SIRET" />
          <FunctionField label="Catégorie" render={(a: Anomaly) => label(CATEGORY, a.category)} />
          <FunctionField label="Certification" render={(a: Anomaly) => a.certificationCode ?? '—'} />
          <FunctionField label="Année" render={(a: Anomaly) => String(a.year)} />
          <FunctionField label="Prix unitaire" render={(a: Anomaly) => <span style={{ whiteSpace: 'nowrap' }}>{typeof a.evidence.value === 'number' ? euros(a.evidence.value) : '—'}</span>} />
          <FunctionField label="Toujours signalée" render={(a: Anomaly) => (a.active ? 'Oui' : 'Non')} />
          <FunctionField label="Signalée le" render={(a: Anomaly) => <span style={{ whiteSpace: 'nowrap' }}>{dateTime(a.createdAt)}</span>} />
        </Datagrid>
      </List>
    </Screen>
  );
}
