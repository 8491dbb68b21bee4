import { describe, expect, it, vi } from "vitest";
import { busiestFree, groupSchedule, heat, isFull, renderSchedule, slotLabel } from "./schedule";
import type { Schedule } from "../bindings";
import type { Slot } from "../bindings";
import type { Facility } from "../bindings";

const facility = (id: string, under_maintenance = false): Facility => ({ id, branch_id: "b1", name: id, kind: "sauna", is_active: true, under_maintenance, available_days: [1, 2, 3, 4, 5, 6, 7] });
const slot = (id: string, facility_id: string, local_date: string, local_start: string, booked = 0, capacity = 2): Slot => ({
  id, facility_id, local_date, local_start, local_end: "09:00:00", starts_at: `${local_date}T${local_start}Z`, ends_at: `${local_date}T09:00:00Z`, capacity, booked_count: booked,
});

describe("groupSchedule", () => {
  it("puts each slot under its facility and local day, in start order, with empty days kept", () => {
    const weeks = groupSchedule(
      { facilities: [facility("sauna"), facility("plunge", true)], inserted: 0, slots: [slot("b", "sauna", "2026-11-23", "08:00:00"), slot("a", "sauna", "2026-11-23", "07:00:00"), slot("c", "sauna", "2026-11-29", "07:00:00"), slot("x", "sauna", "2026-11-30", "07:00:00")] },
      "2026-11-23",
    );
    expect(weeks.map((w) => w.facility.id)).toEqual(["sauna", "plunge"]);
    expect(weeks[0].days).toHaveLength(7);
    expect(weeks[0].days[0].slots.map((s) => s.id)).toEqual(["a", "b"]);
    expect(weeks[0].days[6].slots.map((s) => s.id)).toEqual(["c"]);
    expect(weeks[0].days.flatMap((d) => d.slots).some((s) => s.id === "x")).toBe(false);
    expect(weeks[1].facility.under_maintenance).toBe(true);
  });
});

describe("slots", () => {
  it("marks full slots, including ones over capacity after an override", () => {
    expect(isFull({ booked_count: 2, capacity: 2 })).toBe(true);
    expect(isFull({ booked_count: 3, capacity: 2 })).toBe(true);
    expect(isFull({ booked_count: 1, capacity: 2 })).toBe(false);
    expect(slotLabel(slot("a", "f", "2026-11-23", "07:00:00", 2, 2))).toBe("07:00 2/2 full");
    expect(slotLabel(slot("a", "f", "2026-11-23", "07:30:00", 1, 2))).toBe("07:30 1/2");
  });
});

/** Focuses a grid cell as a click would put the keyboard there. */
function focusOn(id: string, main: HTMLElement) {
  (main.querySelector(`[data-slot-id="${id}"]`) as HTMLElement).focus();
}

describe("renderSchedule", () => {
  it("shows the week's counts again on refresh (after the drawer booked a slot)", async () => {
    let booked = 0;
    const weekSchedule = vi.fn(async (): Promise<Schedule> => ({ facilities: [facility("sauna")], inserted: 0, slots: [slot("a", "sauna", "2026-11-23", "07:00:00", booked, 2)] }));
    const main = document.createElement("main");
    const screen = renderSchedule(main, { api: { weekSchedule }, today: "2026-11-25" });
    const count = () => main.querySelector("[data-testid=schedule] .slot-count")?.textContent;
    await vi.waitFor(() => expect(main.querySelector("[data-testid=heat-slot]")).not.toBeNull());
    expect(count()).toBe(""); // nothing booked: no figure, the colour says free
    booked = 1;
    await screen.refresh();
    expect(weekSchedule).toHaveBeenCalledTimes(2);
    expect(weekSchedule).toHaveBeenLastCalledWith("2026-11-23");
    expect(count()).toBe("1");
    expect(main.querySelector("[data-testid=heat-slot]")!.getAttribute("aria-label")).toBe("sauna, Mon 23 Nov 07:00–09:00: 1 of 2 booked, gone by");
  });

  // A week at a branch: Sauna every hour, Plunge at other times, Steam under maintenance.
  const week = (): Schedule => ({
    inserted: 0,
    facilities: [facility("Sauna"), facility("Plunge"), facility("Steam", true)],
    slots: ["2026-11-23", "2026-11-24", "2026-11-25"].flatMap((d, i) => [
      slot(`sauna-${d}-07`, "Sauna", d, "07:00:00", i, 4),
      slot(`sauna-${d}-08`, "Sauna", d, "08:00:00", 2, 4),
      slot(`plunge-${d}-07`, "Plunge", d, "07:30:00", 4, 4),
      slot(`steam-${d}-07`, "Steam", d, "07:00:00", 0, 4),
    ]),
  });

  it("colours each slot free, busy or full, dims the slots gone by and marks the one under way, with maintenance in its place", async () => {
    const main = document.createElement("main");
    // Tuesday 24 November, 07:30 at the branch (UTC here): Monday is gone, Tuesday's 07:00 is under way.
    renderSchedule(main, { api: { weekSchedule: vi.fn(async () => week()) }, today: "2026-11-24", now: () => Date.parse("2026-11-24T07:30:00Z") });
    await vi.waitFor(() => expect(main.querySelectorAll("[data-testid=heat-slot]").length).toBe(9));
    const cell = (id: string) => main.querySelector(`[data-slot-id="${id}"]`)!;
    expect(cell("sauna-2026-11-25-07").className).toContain("heat-busy"); // 2 of 4
    expect(cell("sauna-2026-11-24-07").className).toContain("heat-free"); // 1 of 4
    expect(cell("plunge-2026-11-25-07").className).toContain("heat-full");
    expect(cell("sauna-2026-11-23-08").className).toContain("heat-past");
    expect(cell("sauna-2026-11-24-07").className).toContain("heat-now");
    expect(cell("sauna-2026-11-25-07").className).not.toContain("heat-past");
    expect(cell("sauna-2026-11-24-08").className).toContain("heat-next"); // the now line stands before it
    expect(main.querySelector(".heat-today .heat-day")!.textContent).toBe("Tue 24 Nov · now 07:30");
    expect([...main.querySelectorAll("[data-testid=facility] h3")].map((e) => e.textContent!.trim())).toEqual(["Sauna", "Plunge", "Steam Under maintenance"]);
    expect(main.querySelector(".maintenance-band")!.textContent).toContain("no end date set");
    expect(main.querySelectorAll("[data-slot-id^=steam]").length).toBe(0);
    expect([...main.querySelectorAll(".heat-grid")[0].querySelectorAll("thead th.heat-time")].map((t) => t.textContent)).toEqual(["07", "08"]); // hours across the top
  });

  it("finds the week's busiest slot with a place, and books it by keys: B, then Enter", async () => {
    expect(heat({ booked_count: 1, capacity: 4 })).toBe("free");
    expect(heat({ booked_count: 2, capacity: 4 })).toBe("busy");
    expect(heat({ booked_count: 5, capacity: 4 })).toBe("full");
    const now = Date.parse("2026-11-24T07:30:00Z");
    const s = week();
    s.slots.push(slot("sauna-late", "Sauna", "2026-11-25", "09:00:00", 3, 4));
    expect(busiestFree(s, now)?.id).toBe("sauna-late"); // 3 of 4, not the full plunge, not Monday's
    expect(busiestFree({ ...s, slots: s.slots.filter((x) => x.id !== "sauna-late") }, now)?.id).toBe("sauna-2026-11-24-08"); // 2 of 4, the soonest of those
    expect(busiestFree({ ...s, slots: [] }, now)).toBeUndefined();

    const main = document.createElement("main");
    document.body.replaceChildren(main);
    const onBook = vi.fn();
    const nextWeek: Schedule = { ...s, slots: [slot("next-07", "Sauna", "2026-11-30", "07:00:00", 0, 4)] };
    const weekSchedule = vi.fn(async (monday: string) => (monday === "2026-11-30" ? nextWeek : s));
    const screen = renderSchedule(main, { api: { weekSchedule }, today: "2026-11-24", now: () => now, onBook });
    await vi.waitFor(() => expect(main.querySelectorAll("[data-testid=heat-slot]").length).toBe(10));
    screen.focus();
    const key = (k: string) => document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
    key("b");
    expect((document.activeElement as HTMLElement).dataset.slotId).toBe("sauna-late");
    key("ArrowUp");
    expect((document.activeElement as HTMLElement).dataset.slotId).toBe("sauna-2026-11-24-08"); // no 09:00 on Tuesday: the nearest
    key("Enter");
    expect(onBook).toHaveBeenCalledWith(expect.objectContaining({ id: "sauna-2026-11-24-08" }), expect.objectContaining({ name: "Sauna" }));
    key("ArrowUp");
    key("Enter"); // Monday's 08:00 has gone by: not offered
    expect(onBook).toHaveBeenCalledTimes(1);
    expect(main.querySelector("[data-testid=schedule-status]")!.textContent).toBe("Sauna 08:00 on Mon 23 Nov has started: it cannot be booked.");
    key("PageDown");
    await vi.waitFor(() => expect(weekSchedule).toHaveBeenLastCalledWith("2026-11-30"));
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).dataset.slotId).toBe("next-07")); // the grid keeps the focus
  });

  it("goes up and down past the days a facility is closed", async () => {
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    // Open Monday and Wednesday only (as the demo's Infrared Sauna skips days).
    const closedTuesday: Schedule = { inserted: 0, facilities: [facility("Infrared")], slots: [slot("mon", "Infrared", "2026-11-23", "10:00:00"), slot("wed", "Infrared", "2026-11-25", "10:30:00")] };
    renderSchedule(main, { api: { weekSchedule: vi.fn(async () => closedTuesday) }, today: "2026-11-23", now: () => Date.parse("2026-11-23T06:00:00Z") });
    await vi.waitFor(() => expect(main.querySelectorAll("[data-testid=heat-slot]").length).toBe(2));
    focusOn("mon", main);
    const key = (k: string) => document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
    key("ArrowDown");
    expect((document.activeElement as HTMLElement).dataset.slotId).toBe("wed");
    key("ArrowDown"); // nothing below: it stays
    expect((document.activeElement as HTMLElement).dataset.slotId).toBe("wed");
    key("ArrowUp");
    expect((document.activeElement as HTMLElement).dataset.slotId).toBe("mon");
  });
});
