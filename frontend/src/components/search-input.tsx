'use client';

import { useEffect, useState } from 'react';
import { Input } from './ui/field';
import { SearchIcon } from './ui/icons';

/** A search box that reports its value after the user pauses typing. */
export function SearchInput({ label, placeholder, onSearch }: { label: string; placeholder?: string; onSearch: (q: string) => void }) {
  const [value, setValue] = useState('');
  useEffect(() => {
    const t = window.setTimeout(() => onSearch(value.trim()), 300);
    return () => window.clearTimeout(t);
  }, [value, onSearch]);
  return (
    <div className="relative max-w-sm">
      <SearchIcon className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted" />
      <Input
        type="search"
        aria-label={label}
        placeholder={placeholder}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        className="pl-9"
      />
    </div>
  );
}
