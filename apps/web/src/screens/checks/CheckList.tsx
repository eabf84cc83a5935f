// Contrôles: filters (state, provider, response due date, overdue, owner), server paging; a row
// opens the check.
import { Button } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import { Link } from 'react-router-dom';
import { Datagrid, DateInput, FunctionField, List, SelectInput, TextInput, useGetIdentity } from 'react-admin';
import type { Dto } from '../../api/dto';
import { date } from '../../i18n/format';
import { METHOD, OUTCOME, STATE, choices, label } from '../../i18n/labels';
import { DateOnly, Siret, State } from '../../ui/fields';
import { EmptyList, Pager, ResultCount } from '../../ui/list';
import { Screen } from '../../ui/Screen';
import { ListFailure } from '../../ui/states';

type Check = Dto<'CheckListItemDto'>;

const filters = [
  <SelectInput key="state" source="state" label="État" choices={choices(STATE)} alwaysOn />,
  <TextInput key="providerSiret" source="providerSiret" label="SIRET de l’organisme" alwaysOn />,
  <SelectInput
    key="assignee"
    source="assignee"
    label="Responsable"
    choices={[
      { id: 'me', name: 'Moi' },
      { id: 'none', name: 'Non attribué' },
    ]}
    alwaysOn
  />,
  <SelectInput
    key="overdue"
    source="overdue"
    label="Réponse en retard"
    choices={[
      { id: 'true', name: 'En retard' },
      { id: 'false', name: 'Pas en retard' },
    ]}
    alwaysOn
  />,
  <DateInput key="responseDueAfter" source="responseDueAfter" label="Réponse attendue à partir du" />,
  <DateInput key="responseDueBefore" source="responseDueBefore" label="Réponse attendue au plus tard le" />,
];

function Owner({ check }: { check: Check }) {
  const { identity } = useGetIdentity();
  if (!check.assigneeId) return <>Non attribué</>;
  return <>{identity?.id === check.assigneeId ? 'Moi' : 'Autre personne'}</>;
}

export default function CheckList() {
  return (
    <Screen
      title="Contrôles"
      crumbs={[{ label: 'Contrôles' }]}
      actions={
        <Button component={Link} to="/controles/create" variant="contained" startIcon={<AddIcon />}>
          Nouveau contrôle
        </Button>
      }
    >
      <List title={false as never} filters={filters} pagination={<Pager />} perPage={25} exporter={false} empty={false} error={<ListFailure />} sort={{ field: '', order: 'ASC' }}>
        <ResultCount noun="contrôle" />
        <Datagrid bulkActionButtons={false} rowClick="show" empty={<EmptyList text="Aucun contrôle ne correspond à ces filtres." />} data-testid="checks">
          <DateOnly source="createdAt" label="Créé le" />
          <Siret source="providerSiret" label="SIRET" />
          <FunctionField label="Méthode" sortable={false} render={(r: Check) => label(METHOD, r.method)} />
          <State source="state" label="État" />
          <FunctionField label="Échéance de réponse" sortable={false} render={(r: Check) => date(r.procedure?.responseDueAt)} />
          <FunctionField label="Responsable" sortable={false} render={(r: Check) => <Owner check={r} />} />
          <FunctionField label="Résultat" sortable={false} render={(r: Check) => label(OUTCOME, r.outcome)} />
          <FunctionField label="Version" sortable={false} render={(r: Check) => r.revision} />
        </Datagrid>
      </List>
    </Screen>
  );
}
