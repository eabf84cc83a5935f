// Imports: the organisation's imports (funded actions and, for platform administrators, the public
// list), newest first, with their status and counts; filters kind and status; a row opens the
// import's page (counts, bad lines, error file).
import { Button } from '@mui/material';
import UploadIcon from '@mui/icons-material/UploadFile';
import { Link } from 'react-router-dom';
import { Datagrid, FunctionField, List, SelectInput } from 'react-admin';
import type { ImportView } from './ImportReport';
import { bytes, count, dateTime } from '../../i18n/format';
import { IMPORT_KIND, IMPORT_STATUS, choices, label } from '../../i18n/labels';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { ListFailure } from '../../ui/states';

type ImportRow = Omit<ImportView, 'errors' | 'rejectedLineCount' | 'fieldErrorCount'>;

const filters = [
  <SelectInput key="kind" source="kind" label="Type" choices={choices(IMPORT_KIND)} alwaysOn />,
  <SelectInput key="status" source="status" label="État" choices={choices(IMPORT_STATUS)} alwaysOn />,
];

const rows = (r: ImportRow) => (r.counts ? ('rows' in r.counts ? r.counts.rows : r.counts.lines) : null);

export default function ImportList() {
  return (
    <Screen
      title="Imports"
      crumbs={[{ label: 'Imports' }]}
      actions={
        <Button component={Link} to="/actions/import" variant="contained" startIcon={<UploadIcon />}>
          Importer des actions
        </Button>
      }
    >
      <List resource="imports" title={false as never} filters={filters} pagination={<Pager />} perPage={25} exporter={false} empty={false} error={<ListFailure />} sort={{ field: '', order: 'ASC' }}>
        <ResultCount noun="import" />
        <Datagrid bulkActionButtons={false} rowClick={(id) => `/imports/${id}`} empty={<EmptyList text="Aucun import ne correspond à ces filtres." />} data-testid="imports">
          <FunctionField label="Déposé le" sortable={false} render={(r: ImportRow) => dateTime(r.createdAt)} />
          <FunctionField label="Type" sortable={false} render={(r: ImportRow) => label(IMPORT_KIND, r.kind)} />
          <FunctionField label="Fichier" sortable={false} render={(r: ImportRow) => (r.fileName ? `${r.fileName} (${bytes(r.fileSize)})` : '—')} />
          <FunctionField label="État" sortable={false} render={(r: ImportRow) => <span data-testid="import-row-status">{label(IMPORT_STATUS, r.status)}</span>} />
          <FunctionField label="Lignes lues" sortable={false} render={(r: ImportRow) => count(rows(r))} />
          <FunctionField label="Acceptées" sortable={false} render={(r: ImportRow) => count(r.counts?.accepted)} />
          <FunctionField label="Refusées" sortable={false} render={(r: ImportRow) => count(r.counts?.rejected)} />
          <FunctionField label="Terminé le" sortable={false} render={(r: ImportRow) => dateTime(r.finishedAt)} />
        </Datagrid>
      </List>
    </Screen>
  );
}
