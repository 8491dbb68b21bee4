// Recovery schedule: one week per facility, booked/capacity per slot, full slots marked,
// facilities under maintenance shown as such. Opening a week ensures its slots with one call.
import { errorText, type Api } from "../api";
import type { Facility } from "../bindings";
import type { Schedule } from "../bindings";
import type { Slot } from "../bindings";
import { h } from "../dom";
import { addDays, dayLabel, hhmm, mondayOf, todayIn, weekLabel } from "../format";

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

export interface ScheduleOptions {
  api: Pick<Api, "weekSchedule">;
  /** The branch's zone: "this week" is the branch's, whatever zone this computer is in. */
  timeZone?: string;
  today?: string;
}

export function renderSchedule(main: HTMLElement, options: ScheduleOptions): { refresh: () => Promise<void> } {
  let monday = mondayOf(options.today ?? todayIn(options.timeZone));
  const label = h("span", { class: "week-label", "data-testid": "week-label" });
  const picker = h("input", { type: "date", id: "week-date", "aria-label": "Go to the week of" });
  const prev = h("button", { type: "button", class: "secondary", "data-testid": "week-prev" }, "← Previous week");
  const next = h("button", { type: "button", class: "secondary", "data-testid": "week-next" }, "Next week →");
  const thisWeek = h("button", { type: "button", class: "secondary" }, "This week");
  const status = h("p", { class: "form-status", role: "status", "data-testid": "schedule-status" });
  const body = h("div", { class: "schedule", "data-testid": "schedule" });
  let asked = 0;

  const load = async () => {
    const ticket = ++asked;
    label.textContent = weekLabel(monday);
    picker.value = monday;
    status.classList.remove("is-error");
    status.textContent = "Loading the week…";
    body.setAttribute("aria-busy", "true");
    try {
      const schedule = await options.api.weekSchedule(monday);
      if (ticket !== asked) return;
      drawWeek(body, groupSchedule(schedule, monday));
      status.textContent = schedule.inserted > 0 ? `${schedule.inserted} new slots were prepared for this week.` : "";
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
    void load();
  };
  prev.addEventListener("click", () => go(addDays(monday, -7)));
  next.addEventListener("click", () => go(addDays(monday, 7)));
  thisWeek.addEventListener("click", () => go(options.today ?? todayIn(options.timeZone)));
  picker.addEventListener("change", () => picker.value && go(picker.value));

  main.replaceChildren(
    h(
      "section",
      { class: "panel wide" },
      h("div", { class: "toolbar" }, h("h2", {}, "Recovery schedule"), label, prev, thisWeek, next, picker),
      status,
      body,
    ),
  );
  void load();
  return { refresh: load };
}

function drawWeek(body: HTMLElement, weeks: FacilityWeek[]): void {
  if (weeks.length === 0) {
    body.replaceChildren(h("p", { class: "muted" }, "This branch has no recovery facilities."));
    return;
  }
  body.replaceChildren(
    ...weeks.map(({ facility, days }) =>
      h(
        "section",
        { class: `facility${facility.under_maintenance ? " maintenance" : ""}`, "data-testid": "facility", "aria-label": facility.name },
        h(
          "h3",
          {},
          facility.name,
          " ",
          facility.under_maintenance ? h("span", { class: "pill pill-warn", "data-testid": "maintenance" }, "Under maintenance") : null,
          !facility.is_active ? h("span", { class: "pill" }, "Inactive") : null,
        ),
        facility.under_maintenance
          ? h("p", { class: "muted" }, "Closed for maintenance: no slots can be booked.")
          : h(
              "div",
              { class: "week-grid" },
              ...days.map((d) =>
                h(
                  "div",
                  { class: "day" },
                  h("div", { class: "day-head" }, dayLabel(d.date)),
                  d.slots.length
                    ? h(
                        "ul",
                        { class: "slots" },
                        ...d.slots.map((s) =>
                          h(
                            "li",
                            { class: `slot${isFull(s) ? " full" : ""}`, title: isFull(s) ? "Full" : `${s.capacity - s.booked_count} places left` },
                            h("span", { class: "slot-time" }, hhmm(s.local_start)),
                            h("span", { class: "slot-count" }, `${s.booked_count}/${s.capacity}`),
                            isFull(s) ? h("span", { class: "slot-full" }, "Full") : null,
                          ),
                        ),
                      )
                    : h("p", { class: "muted small" }, "—"),
                ),
              ),
            ),
      ),
    ),
  );
}
