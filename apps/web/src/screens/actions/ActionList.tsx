// Actions financées: filters (coverage, category, region, start dates, provider, payment blocked),
// sort by reference, start date or amount, server paging.
import { Button } from '@mui/material';
import UploadIcon from '@mui/icons-material/UploadFile';
import { Link } from 'react-router-dom';
import { Datagrid, DateInput, FunctionField, List, SelectInput, TextField, TextInput } from 'react-admin';
import type { Dto } from '../../api/dto';
import { CATEGORY, COVERAGE, REGION, choices, label } from '../../i18n/labels';
import { Coverage, DateOnly, Money, Siret } from '../../ui/fields';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { ListFailure } from '../../ui/states';

type Action = Dto<'ActionDto'>;

const filters = [
  <SelectInput key="coverage" source="coverage" label="Couverture" choices={choices(COVERAGE)} alwaysOn />,
  <SelectInput key="category" source="category" label="Catégorie" choices={choices(CATEGORY)} />,
  <SelectInput key="region" source="region" label="Région" choices={choices(REGION)} />,
  <DateInput key="from" source="from" label="Début à partir du" />,
  <DateInput key="to" source="to" label="Début jusqu’au" />,
  <TextInput key="providerSiret" source="providerSiret" label="SIRET de l’organisme" />,
  <SelectInput
    key="paymentBlocked"
    source="paymentBlocked"
    label="Paiement"
    choices={[
      { id: 'true', name: 'Bloqué' },
      { id: 'false', name: 'Non bloqué' },
    ]}
  />,
];

export default function ActionList() {
  return (
    <Screen
      title="Actions financées"
      crumbs={[{ label: 'Actions financées' }]}
      actions={
        <Button component={Link} to="/actions/import" variant="contained" startIcon={<UploadIcon />}>
          Importer un fichier CSV
        </Button>
      }
    >
      <List title={false as never} filters={filters} pagination={<Pager />} perPage={25} exporter={false} empty={false} error={<ListFailure />} sort={{ field: 'externalRef', order: 'ASC' }}>
        <ResultCount noun="action" />
        <Datagrid bulkActionButtons={false} rowClick="show" empty={<EmptyList text="Aucune action financée ne correspond à ces filtres." />} data-testid="actions">
          <TextField source="externalRef" label="Référence" />
          <Siret source="providerSiret" label="SIRET" sortable={false} />
          <FunctionField label="Catégorie" sortable={false} render={(r: Action) => label(CATEGORY, r.category)} />
          <FunctionField label="Région" sortable={false} render={(r: Action) => label(REGION, r.region)} />
          <DateOnly source="startDate" label="Début" />
          <Money source="amountFunded" label="Montant financé" />
          <Coverage source="coverage" label="Couverture" sortable={false} />
          <FunctionField label="Paiement" sortable={false} render={(r: Action) => (r.paymentBlocked ? 'Bloqué' : '—')} />
        </Datagrid>
      </List>
    </Screen>
  );
}
