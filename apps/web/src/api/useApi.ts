// Reads one API path with react-query (the client react-admin already holds): cached, retried by
// the screen's « Réessayer », refetched when a mutation invalidates it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get } from './http';

export function useApi<T>(path: string | null) {
  return useQuery<T>({ queryKey: ['api', path], queryFn: () => get<T>(path as string), enabled: path !== null, retry: false });
}

/** Marks every cached API read under a prefix stale (after a change). */
export function useInvalidate() {
  const client = useQueryClient();
  return (prefix: string) =>
    client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'api' && typeof q.queryKey[1] === 'string' && q.queryKey[1].startsWith(prefix) });
}
