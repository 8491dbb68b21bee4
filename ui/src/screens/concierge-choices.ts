// What the concierge drawer offers: a day's recovery slots (a column per facility) or classes,
// each with its places left, as choices for the drawer's list (widgets/choice-list.ts).
import type { BookingKind } from "../bindings";
import type { Class } from "../bindings";
import type { Schedule } from "../bindings";
import { counted, clockTime, dateTime, dayLabel, hhmm, placesLeft } from "../format";
import type { ListChoice } from "../widgets/choice-list";

/** One bookable thing in the list: a recovery slot or a class. */
export interface Choice extends ListChoice {
  kind: BookingKind;
  booked: number;
  capacity: number;
  waitlist?: number;
  /** What and when, for messages: "Sauna, Wed 2 Dec 18:00–18:45". */
  what: string;
}

/**
 * The recovery slots the drawer offers for a local day: open facilities only, and only slots that
 * have not started (the database refuses a slot that has), by time, then facility name. The
 * drawer shows them in a column per facility.
 */
export function slotChoices(schedule: Schedule, day: string, now: number): Choice[] {
  const open = new Set(schedule.facilities.filter((f) => f.is_active && !f.under_maintenance).map((f) => f.id));
  const names = new Map(schedule.facilities.map((f) => [f.id, f.name]));
  return schedule.slots
    .filter((s) => s.local_date === day && open.has(s.facility_id) && Date.parse(s.starts_at) > now)
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at) || (names.get(a.facility_id) ?? "").localeCompare(names.get(b.facility_id) ?? ""))
    .map((s) => {
      const facility = names.get(s.facility_id) ?? "";
      const short = `${hhmm(s.local_start)}–${hhmm(s.local_end)}`;
      const c = { kind: "recovery" as const, id: s.id, group: facility, time: hhmm(s.local_start), label: `${facility} · ${short}`, short, booked: s.booked_count, capacity: s.capacity, what: `${facility}, ${dayLabel(day)} ${short}` };
      return { ...c, full: choiceFull(c), places: availability(c) };
    });
}

export const choiceFull = (c: Pick<Choice, "booked" | "capacity">): boolean => c.booked >= c.capacity;

/** "3 places left" / "Full: 2 of 2 booked". */
export function availability(c: Pick<Choice, "booked" | "capacity" | "waitlist">): string {
  if (choiceFull(c)) return `Full: ${c.booked} of ${c.capacity} booked${c.waitlist ? `, ${c.waitlist} waiting` : ""}`;
  const left = placesLeft(c.booked, c.capacity);
  return `${counted(left, "place")} left`;
}

/** The day's classes that have not started yet, as choices (one column, by time). */
export function classChoices(classes: Class[], timeZone: string | undefined, now: number): Choice[] {
  return classes
    .filter((c) => Date.parse(c.starts_at) > now)
    .map((k) => {
      const time = clockTime(k.starts_at, timeZone);
      const when = dateTime(k.starts_at, timeZone);
      const c = { kind: "class" as const, id: k.id, group: "Classes", time, label: `${k.title} · ${when}${k.instructor ? ` · ${k.instructor}` : ""}`, short: `${time} ${k.title}${k.instructor ? ` · ${k.instructor}` : ""}`, booked: k.booked_count, capacity: k.capacity, waitlist: k.waitlist_count, what: `${k.title}, ${when}` };
      return { ...c, full: choiceFull(c), places: availability(c) };
    });
}

