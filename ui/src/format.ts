// Dates, times and counts as staff read them. Date-only values are "YYYY-MM-DD" strings and all
// arithmetic on them is done in UTC, so the desk's own time zone never shifts a day.

/** "YYYY-MM-DD" of a Date in the desk's local calendar. */
export function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `date` plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** The Monday of the ISO week holding `date`. */
export function mondayOf(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/** "Mon 3 Mar" for a date-only string. */
export function dayLabel(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

/** "3–9 Mar 2026" style label for the week starting `monday`. */
export function weekLabel(monday: string): string {
  const end = addDays(monday, 6);
  const fmt = (s: string, opts: Intl.DateTimeFormatOptions) => {
    const [y, m, d] = s.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", { ...opts, timeZone: "UTC" });
  };
  return `${fmt(monday, { day: "numeric", month: "short" })} – ${fmt(end, { day: "numeric", month: "short", year: "numeric" })}`;
}

/** "Tue 4 Mar, 07:30" for an instant, in the branch's time zone when known. */
export function dateTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone,
  });
}

/** "HH:MM" from "HH:MM:SS" (or as given). */
export function hhmm(time: string): string {
  return time.slice(0, 5);
}

/** "booked" → "Booked", "no_show" → "No-show". */
export function statusLabel(status: string): string {
  if (status === "no_show") return "No-show";
  return status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, " ");
}

/** "1 booking", "2 bookings": a count with its noun in the right number. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Places left, never negative (an override may put a slot over capacity). */
export function placesLeft(booked: number, capacity: number): number {
  return Math.max(0, capacity - booked);
}

/** Start of a local day as an instant string (for "from"/"to" filters). */
export function startOfLocalDay(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d).toISOString();
}
