// Recovery schedule: the week as a heat grid per facility (days down, times across), each slot
// coloured free / busy / full, slots gone by dimmed, the current slot marked, a facility under
// maintenance shown in its place. Keyboard: arrows move, PageUp/PageDown change the week, B jumps
// to the week's busiest slot that still has a place, Enter (or a click) opens the concierge
// drawer on the slot. Opening a week ensures its slots with one call.
import { errorText, type Api } from "../api";
import type { Facility } from "../bindings";
import type { Schedule } from "../bindings";
import type { Slot } from "../bindings";
import { h } from "../dom";
import { addDays, clockTime, dayLabel, hhmm, mondayOf, todayIn, weekLabel } from "../format";

export interface FacilityWeek {
  facility: Facility;
  days: { date: string; slots: Slot[] }[];
}

/** Splits a week's schedule into facility × day, slots in start order. */
export function groupSchedule(schedule: Schedule, monday: string): FacilityWeek[] {
  const dates = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  return schedule.facilities.map((facility) => {
    const mine = schedule.slots
      .filter((s) => s.facility_id === facility.id)
      .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    return { facility, days: dates.map((date) => ({ date, slots: mine.filter((s) => s.local_date === date) })) };
  });
}

export function isFull(slot: Pick<Slot, "booked_count" | "capacity">): boolean {
  return slot.booked_count >= slot.capacity;
}

/** "07:00 1/2" and, when full, "full". */
export function slotLabel(slot: Slot): string {
  return `${hhmm(slot.local_start)} ${slot.booked_count}/${slot.capacity}${isFull(slot) ? " full" : ""}`;
}

/** The heat of a slot: free (under half taken), busy (half or more), full. */
export function heat(slot: Pick<Slot, "booked_count" | "capacity">): "free" | "busy" | "full" {
  if (isFull(slot)) return "full";
  return slot.booked_count * 2 >= slot.capacity ? "busy" : "free";
}

/**
 * The week's busiest slot that can still be booked: not started, of an open facility, not full;
 * the fullest by share taken, then the soonest. Undefined when there is none.
 */
export function busiestFree(schedule: Schedule, now: number): Slot | undefined {
  const open = new Set(schedule.facilities.filter((f) => f.is_active && !f.under_maintenance).map((f) => f.id));
  let best: Slot | undefined;
  for (const s of schedule.slots) {
    if (!open.has(s.facility_id) || isFull(s) || Date.parse(s.starts_at) <= now) continue;
    const share = s.booked_count / s.capacity;
    const bestShare = best ? best.booked_count / best.capacity : -1;
    if (share > bestShare || (share === bestShare && best && s.starts_at < best.starts_at)) best = s;
  }
  return best;
}

export interface ScheduleOptions {
  api: Pick<Api, "weekSchedule">;
  /** The branch's zone: "this week" is the branch's, whatever zone this computer is in. */
  timeZone?: string;
  today?: string;
  /** Enter or a click on a slot: book it (the drawer opens on it). */
  onBook?: (slot: Slot, facility: Facility) => void;
  now?: () => number;
}

export function renderSchedule(main: HTMLElement, options: ScheduleOptions): { refresh: () => Promise<void>; focus: () => void } {
  const today = options.today ?? todayIn(options.timeZone);
  const now = options.now ?? Date.now;
  let monday = mondayOf(today);
  let schedule: Schedule | null = null;
  /** The slot with the keyboard focus, kept across a refresh. */
  let focusedId: string | null = null;
  const label = h("span", { class: "week-label", "data-testid": "week-label" });
  const prev = h("button", { type: "button", class: "secondary", "data-testid": "week-prev", title: "PageUp" }, "← Previous week");
  const next = h("button", { type: "button", class: "secondary", "data-testid": "week-next", title: "PageDown" }, "Next week →");
  const thisWeek = h("button", { type: "button", class: "secondary" }, "This week");
  const status = h("p", { class: "form-status", role: "status", "data-testid": "schedule-status" });
  const legend = h(
    "p",
    { class: "heat-legend muted small" },
    h("span", { class: "heat-swatch heat-free" }), " free ",
    h("span", { class: "heat-swatch heat-busy" }), " half or more taken ",
    h("span", { class: "heat-swatch heat-full" }), " full ",
    h("span", { class: "heat-swatch heat-past" }), " gone by · ",
    "Arrows move, PageUp/PageDown change the week, B the busiest slot with a place, Enter books.",
  );
  const body = h("div", { class: "schedule", "data-testid": "schedule" });
  let asked = 0;

  const cells = () => [...body.querySelectorAll<HTMLElement>("[data-slot-id]")];
  const focusCell = (cell: HTMLElement | undefined) => {
    if (!cell) return;
    for (const c of cells()) c.tabIndex = -1;
    cell.tabIndex = 0;
    cell.focus();
    focusedId = cell.dataset.slotId ?? null;
  };

  const load = async () => {
    const ticket = ++asked;
    label.textContent = weekLabel(monday);
    status.classList.remove("is-error");
    status.textContent = "Loading the week…";
    body.setAttribute("aria-busy", "true");
    try {
      const fresh = await options.api.weekSchedule(monday);
      if (ticket !== asked) return;
      schedule = fresh;
      const hadFocus = body.contains(document.activeElement);
      drawWeek(body, groupSchedule(fresh, monday), today, now(), options.timeZone);
      const kept = cells().find((c) => c.dataset.slotId === focusedId) ?? cells()[0];
      if (kept) kept.tabIndex = 0;
      if (hadFocus || body.dataset.wantFocus) focusCell(kept);
      delete body.dataset.wantFocus;
      status.textContent = fresh.inserted > 0 ? `${fresh.inserted} new slots were prepared for this week.` : "";
    } catch (e) {
      if (ticket !== asked) return;
      status.textContent = errorText(e);
      status.classList.add("is-error");
    } finally {
      body.removeAttribute("aria-busy");
    }
  };
  const go = (date: string) => {
    monday = mondayOf(date);
    focusedId = null;
    void load();
  };
  prev.addEventListener("click", () => go(addDays(monday, -7)));
  next.addEventListener("click", () => go(addDays(monday, 7)));
  thisWeek.addEventListener("click", () => go(today));

  body.addEventListener("keydown", (e) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>("[data-slot-id]");
    if (!cell || e.ctrlKey || e.metaKey || e.altKey) return;
    const grid = cell.closest(".heat-grid")!;
    const row = Number(cell.dataset.row);
    const col = Number(cell.dataset.col);
    const at = (r: number, c: number) => grid.querySelector<HTMLElement>(`[data-row="${r}"][data-col="${c}"]`) ?? undefined;
    const inRow = (r: number) => [...grid.querySelectorAll<HTMLElement>(`[data-row="${r}"]`)];
    const nearestIn = (r: number) => inRow(r).sort((a, b) => Math.abs(Number(a.dataset.col) - col) - Math.abs(Number(b.dataset.col) - col))[0];
    /** The next day up or down that has slots (a facility closed on some days skips them). */
    const dayFrom = (step: number) => {
      for (let r = row + step; r >= 0 && r < 7; r += step) {
        const found = at(r, col) ?? nearestIn(r);
        if (found) return found;
      }
      return undefined;
    };
    const move = (target: HTMLElement | undefined) => {
      e.preventDefault();
      focusCell(target);
    };
    switch (e.key) {
      case "ArrowRight":
        return move(inRow(row).find((c) => Number(c.dataset.col) > col));
      case "ArrowLeft":
        return move(inRow(row).reverse().find((c) => Number(c.dataset.col) < col));
      case "ArrowDown":
        return move(dayFrom(1));
      case "ArrowUp":
        return move(dayFrom(-1));
      case "Home":
        return move(inRow(row)[0]);
      case "End":
        return move(inRow(row).pop());
      case "b":
      case "B": {
        const slot = schedule && busiestFree(schedule, now());
        e.preventDefault();
        if (slot) focusCell(cells().find((c) => c.dataset.slotId === slot.id));
        else status.textContent = "Every slot this week is full or gone by.";
        return;
      }
      case "Enter":
      case " ": {
        e.preventDefault();
        return cell.click();
      }
    }
  });
  // PageUp/PageDown anywhere on the screen change the week; the focus stays in the grid.
  const section = h("section", { class: "panel wide" });
  section.addEventListener("keydown", (e) => {
    if (e.key !== "PageDown" && e.key !== "PageUp") return;
    if ((e.target as HTMLElement).matches("input, select, textarea")) return;
    e.preventDefault();
    body.dataset.wantFocus = "1";
    go(addDays(monday, e.key === "PageDown" ? 7 : -7));
  });
  body.addEventListener("click", (e) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>("[data-slot-id]");
    if (!cell || !schedule || !options.onBook) return;
    const slot = schedule.slots.find((s) => s.id === cell.dataset.slotId);
    const facility = schedule.facilities.find((f) => f.id === slot?.facility_id);
    if (!slot || !facility) return;
    focusedId = slot.id;
    if (Date.parse(slot.starts_at) <= now()) {
      status.textContent = `${facility.name} ${hhmm(slot.local_start)} on ${dayLabel(slot.local_date)} has started: it cannot be booked.`;
      return;
    }
    options.onBook(slot, facility);
  });

  section.append(h("div", { class: "toolbar" }, h("h2", {}, "Recovery schedule"), label, prev, thisWeek, next), legend, status, body);
  main.replaceChildren(section);
  void load();
  return {
    refresh: load,
    focus: () => {
      const cell = cells().find((c) => c.tabIndex === 0);
      if (cell) focusCell(cell);
      else body.dataset.wantFocus = "1";
    },
  };
}

function drawWeek(body: HTMLElement, weeks: FacilityWeek[], today: string, now: number, timeZone?: string): void {
  if (weeks.length === 0) {
    body.replaceChildren(h("p", { class: "muted" }, "This branch has no recovery facilities."));
    return;
  }
  body.replaceChildren(
    ...weeks.map(({ facility, days }, f) => {
      const heading = h(
        "h3",
        { id: `heat-${f}` },
        facility.name,
        " ",
        facility.under_maintenance ? h("span", { class: "pill pill-warn", "data-testid": "maintenance" }, "Under maintenance") : null,
        !facility.is_active ? h("span", { class: "pill" }, "Inactive") : null,
      );
      if (facility.under_maintenance) {
        // In its place among the facilities, the whole week struck through.
        return h(
          "section",
          { class: "facility maintenance", "data-testid": "facility", "aria-labelledby": `heat-${f}` },
          heading,
          h("p", { class: "maintenance-band" }, "Closed for maintenance all week, with no end date set: no slot can be booked. An administrator reopens it."),
        );
      }
      // The times across: every start the week has at this facility.
      const times = [...new Set(days.flatMap((d) => d.slots.map((s) => hhmm(s.local_start))))].sort();
      const nowCol = (day: string) => (day === today ? days.find((d) => d.date === day)?.slots.find((s) => Date.parse(s.starts_at) <= now && Date.parse(s.ends_at) > now) : undefined);
      return h(
        "section",
        { class: "facility", "data-testid": "facility", "aria-labelledby": `heat-${f}` },
        heading,
        times.length === 0
          ? h("p", { class: "muted" }, "No slots this week.")
          : h(
              "div",
              { class: "heat-scroll" },
              h(
                "table",
                { class: "heat-grid", role: "grid", "aria-labelledby": `heat-${f}` },
                h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Day")), ...times.map((t) => h("th", { scope: "col", class: "heat-time" }, t.endsWith(":00") ? t.slice(0, 2) : h("span", { class: "sr-only" }, t))))),
                h(
                  "tbody",
                  {},
                  ...days.map((d, row) => {
                    const current = nowCol(d.date);
                    // The now line: at the left edge of today's first slot still to come.
                    const next = d.date === today ? d.slots.find((x) => Date.parse(x.starts_at) > now) : undefined;
                    return h(
                      "tr",
                      { class: d.date === today ? "heat-today" : d.date < today ? "heat-gone" : "" },
                      h("th", { scope: "row", class: "heat-day" }, dayLabel(d.date), d.date === today ? ` · now ${clockTime(new Date(now).toISOString(), timeZone)}` : ""),
                      ...times.map((t, col) => {
                        const s = d.slots.find((x) => hhmm(x.local_start) === t);
                        if (!s) return h("td", { class: "heat-none" });
                        const gone = Date.parse(s.starts_at) <= now;
                        const level = heat(s);
                        const words = `${facility.name}, ${dayLabel(d.date)} ${t}–${hhmm(s.local_end)}: ${s.booked_count} of ${s.capacity} booked${level === "full" ? ", full" : ""}${gone ? ", gone by" : ""}`;
                        return h(
                          "td",
                          {
                            class: `heat heat-${level}${gone ? " heat-past" : ""}${current?.id === s.id ? " heat-now" : ""}${next?.id === s.id ? " heat-next" : ""}`,
                            role: "gridcell",
                            tabindex: "-1",
                            "aria-label": words,
                            title: words,
                            "data-slot-id": s.id,
                            "data-row": String(row),
                            "data-col": String(col),
                            "data-testid": "heat-slot",
                          },
                          h("span", { class: "slot-count", "aria-hidden": "true" }, s.booked_count ? String(s.booked_count) : ""),
                        );
                      }),
                    );
                  }),
                ),
              ),
            ),
      );
    }),
  );
}
