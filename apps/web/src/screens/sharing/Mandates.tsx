// Mandates (R.6316-7): the mandated bodies a funder mandates, from a date; the checks they create
// while the mandate runs are visible to the funder and count as its coverage.
import { Box, Button, MenuItem, TextField } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { usePermissions } from 'react-admin';
import { post } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { date, today } from '../../i18n/format';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';

type Mandate = Dto<'MandateDto'>;
type OrganisationRef = Dto<'OrganisationRefDto'>;

export default function MandatesScreen() {
  const mandates = useApi<Mandate[]>('/mandates');
  const { permissions } = usePermissions<string[]>();
  const manager = (permissions ?? []).includes('manager');
  const bodies = useApi<OrganisationRef[]>(manager ? '/organisations?kind=MANDATED_BODY' : null);
  const { run, busy, error } = useRun('/mandates');
  const [form, setForm] = useState({ bodyId: '', validFrom: today(), validUntil: '', reference: '' });
  function submit(e: FormEvent) {
    e.preventDefault();
    void run(() => post('/mandates', { ...form, validUntil: form.validUntil || null })).then((m) => m && setForm({ ...form, reference: '' }));
  }
  return (
    <Screen title="Mandats">
      <Section title="Mandats de contrôle" testId="mandates">
        <Async query={mandates}>
          {(list) => (
            <SimpleTable
              caption="Mandats"
              rows={list}
              rowKey={(m) => m.id}
              empty="Aucun mandat."
              columns={[
                { label: 'Financeur', render: (m) => m.funder.name },
                { label: 'Organisme mandaté', render: (m) => m.body.name },
                { label: 'Du', render: (m) => date(m.validFrom), nowrap: true },
                { label: 'Au', render: (m) => (m.validUntil ? date(m.validUntil) : 'sans fin'), nowrap: true },
                { label: 'Référence', render: (m) => m.reference },
                {
                  label: '',
                  render: (m) =>
                    manager && !m.validUntil ? (
                      <Button size="small" disabled={busy} onClick={() => void run(() => post(`/mandates/${m.id}/end`, {}))}>
                        Mettre fin aujourd’hui
                      </Button>
                    ) : null,
                },
              ]}
            />
          )}
        </Async>
      </Section>
      {manager ? (
        <Section title="Nouveau mandat" testId="mandate-create">
          <Box component="form" onSubmit={submit} sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
            <Async query={bodies}>
              {(list) => (
                <TextField select required size="small" label="Organisme mandaté" value={form.bodyId} onChange={(e) => setForm({ ...form, bodyId: e.target.value })} sx={{ minWidth: 260 }}>
                  {list.map((b) => (
                    <MenuItem key={b.id} value={b.id}>
                      {b.name}
                    </MenuItem>
                  ))}
                </TextField>
              )}
            </Async>
            <TextField type="date" required size="small" label="Du" value={form.validFrom} onChange={(e) => setForm({ ...form, validFrom: e.target.value })} slotProps={{ inputLabel: { shrink: true } }} />
            <TextField type="date" size="small" label="Au (facultatif)" value={form.validUntil} onChange={(e) => setForm({ ...form, validUntil: e.target.value })} slotProps={{ inputLabel: { shrink: true } }} />
            <TextField required size="small" label="Référence de la convention" value={form.reference} onChange={(e) => setForm({ ...form, reference: e.target.value })} sx={{ minWidth: 260 }} />
            <Button type="submit" variant="contained" disabled={busy}>
              Mandater
            </Button>
          </Box>
          {error ? <Failure error={error} /> : null}
        </Section>
      ) : null}
    </Screen>
  );
}
