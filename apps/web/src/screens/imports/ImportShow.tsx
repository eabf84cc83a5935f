// One import: its status (followed while it runs), counts, bad lines and error file.
import { Typography } from '@mui/material';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/http';
import { dateTime } from '../../i18n/format';
import { IMPORT_KIND, label } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Async, Failure } from '../../ui/states';
import { DONE, ImportReport, type ImportView } from './ImportReport';

export default function ImportShow() {
  const { id = '' } = useParams();
  const [error, setError] = useState<unknown>(null);
  const query = useQuery<ImportView>({
    queryKey: ['api', `/imports/${id}`],
    queryFn: () => get<ImportView>(`/imports/${id}`),
    retry: false,
    // Followed until it ends.
    refetchInterval: (q) => (q.state.data && DONE.includes(q.state.data.status) ? false : 1000),
  });
  const title = query.data?.fileName ? `Import « ${query.data.fileName} »` : 'Import';
  return (
    <Screen title={title} crumbs={[{ label: 'Imports', to: '/imports' }, { label: title }]}>
      {error ? <Failure error={error} /> : null}
      <Async query={query}>
        {(view) => (
          <>
            <Typography sx={{ mb: 2 }}>
              {label(IMPORT_KIND, view.kind)}, déposé le {dateTime(view.createdAt)}.
            </Typography>
            <ImportReport view={view} onError={setError} />
          </>
        )}
      </Async>
    </Screen>
  );
}
