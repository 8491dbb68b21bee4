// Desk-wide keyboard shortcuts, decided by a pure function so they can be tested without a window.

export type Shortcut = "search" | "new-booking" | "close" | "members" | "schedule" | "bookings" | null;

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** Ctrl+K: member search; Ctrl+N: new booking; Ctrl+1/2/3: the tabs; Esc: close the drawer or dialog. */
export function shortcutFor(e: KeyLike): Shortcut {
  const mod = e.ctrlKey || Boolean(e.metaKey);
  const tab = ({ "1": "members", "2": "schedule", "3": "bookings" } as const)[e.key as "1" | "2" | "3"];
  if (mod && !e.altKey && tab) return tab;
  if (mod && !e.altKey && e.key.toLowerCase() === "k") return "search";
  if (mod && !e.altKey && e.key.toLowerCase() === "n") return "new-booking";
  if (e.key === "Escape") return "close";
  return null;
}

/** Moves a highlighted index in a list of `count` items by ArrowUp/ArrowDown/Home/End; -1 is none. */
export function moveHighlight(index: number, count: number, key: string): number {
  if (count === 0) return -1;
  switch (key) {
    case "ArrowDown":
      return index < 0 ? 0 : Math.min(count - 1, index + 1);
    case "ArrowUp":
      return index <= 0 ? 0 : index - 1;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return Math.min(index, count - 1);
  }
}

/** A debounced call: each call restarts the wait; `cancel` drops a pending call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, ms);
  };
  run.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return run;
}
