import type { MouseEvent, ReactNode } from 'react';
import { COVERAGE_LABEL, label } from './labels';
import { navigate } from './router';

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className}>
      {children}
    </a>
  );
}

export function CoverageBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase().replace('_', '-')}`}>{label(COVERAGE_LABEL, status)}</span>;
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export function Loading() {
  return <p className="muted">Chargement…</p>;
}
