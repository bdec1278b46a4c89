import type { MouseEvent, ReactNode } from 'react';
import { navigate } from './router.ts';

/** An in-app link: a real href (so it opens in a new tab), followed without reloading the page. */
export function Link({ to, children, className, ariaCurrent, title }: { to: string; children: ReactNode; className?: string | undefined; ariaCurrent?: 'page'; title?: string }) {
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={follow} className={className} aria-current={ariaCurrent} title={title}>
      {children}
    </a>
  );
}
