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

/**
 * An instant at its own branch: "Sun 29 Nov, 07:00 (Sydney)" when that branch's zone is not the
 * desk's, so a head-office list shows each class at the time its members see on the door.
 */
export function dateTimeAt(iso: string, zone: string | undefined, deskZone: string | undefined): string {
  if (!zone || zone === deskZone) return dateTime(iso, deskZone);
  return `${dateTime(iso, zone)} (${zone.slice(zone.lastIndexOf("/") + 1).replace(/_/g, " ")})`;
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

/** Start of a day on this computer's clock, as an instant string. */
export function startOfLocalDay(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d).toISOString();
}

/** The calendar date and wall-clock time `t` shows in `timeZone`, read as if it were UTC. */
function wallClock(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(new Date(t));
  const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** Today's date (YYYY-MM-DD) at the branch, whatever zone this computer is set to. */
export function todayIn(timeZone: string | undefined, now: Date = new Date()): string {
  if (!timeZone) return isoDate(now);
  return new Date(wallClock(now.getTime(), timeZone)).toISOString().slice(0, 10);
}

/**
 * The first instant of `date` at the branch (for the "from"/"to" filters), as an instant string.
 * A day whose midnight is skipped by daylight saving starts at the first local time it has.
 */
export function startOfDayIn(date: string, timeZone: string | undefined): string {
  if (!timeZone) return startOfLocalDay(date);
  const [y, m, d] = date.split("-").map(Number);
  const midnight = Date.UTC(y, m - 1, d);
  const offset = (t: number) => wallClock(t, timeZone) - Math.floor(t / 1000) * 1000;
  const first = midnight - offset(midnight);
  const second = midnight - offset(first); // the offset in force at that instant
  const onDate = (t: number) => new Date(wallClock(t, timeZone)).toISOString().slice(0, 10) === date;
  return new Date([second, first].find(onDate) ?? first).toISOString();
}
