/** A Copy button for a read-only field: says "Copied" (or how to copy) for a moment, then Copy again. */
import { useEffect, useState } from 'preact/hooks';
import { copyText } from './dom';

export function CopyButton({ text, field, class: cls = 'copy' }: { text: string; field: () => HTMLInputElement | null; class?: string }) {
  const [said, setSaid] = useState<string | null>(null);
  useEffect(() => {
    if (!said) return;
    const timer = setTimeout(() => setSaid(null), 1500);
    return () => clearTimeout(timer);
  }, [said]);
  const copy = () => void copyText(text, field() ?? undefined).then((r) => setSaid(r === 'copied' ? 'Copied' : 'Press Ctrl+C'));
  return (
    <button class={cls} onClick={copy}>
      {said ?? 'Copy'}
    </button>
  );
}
