// Organismes: search by name, SIRET, SIREN or NDA; count and paging; a row opens the provider.
import { Datagrid, FunctionField, List, SearchInput, TextField } from 'react-admin';
import { REGION, label } from '../../i18n/labels';
import { nda } from '../../i18n/format';
import { Siret } from '../../ui/fields';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { ListFailure } from '../../ui/states';
import type { Dto } from '../../api/dto';

type ProviderRow = Dto<'ProviderSummaryDto'>;

const filters = [<SearchInput key="q" source="q" alwaysOn placeholder="Nom, SIRET, SIREN ou NDA" aria-label="Nom, SIRET, SIREN ou NDA" />];

export default function ProviderList() {
  return (
    <Screen title="Organismes" crumbs={[{ label: 'Organismes' }]}>
      <List
        title={false as never}
        filters={filters}
        pagination={<Pager />}
        perPage={25}
        sort={{ field: '', order: 'ASC' }}
        exporter={false}
        actions={false}
        empty={false}
        error={<ListFailure />}
        disableSyncWithLocation={false}
      >
        <ResultCount noun="organisme" />
        <Datagrid
          bulkActionButtons={false}
          rowClick="show"
          empty={<EmptyList text="Aucun organisme ne correspond à cette recherche." />}
          data-testid="providers"
        >
          <TextField source="name" label="Nom" sortable={false} />
          <Siret source="siret" label="SIRET" sortable={false} />
          <FunctionField label="NDA" sortable={false} render={(r: ProviderRow) => nda(r.nda)} />
          <TextField source="city" label="Ville" sortable={false} emptyText="—" />
          <FunctionField label="Région" sortable={false} render={(r: ProviderRow) => label(REGION, r.region)} />
          <FunctionField label="Liste publique" sortable={false} render={(r: ProviderRow) => (r.listed ? 'Inscrit' : 'Radié')} />
        </Datagrid>
      </List>
    </Screen>
  );
}
