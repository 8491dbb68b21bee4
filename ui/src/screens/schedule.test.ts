import { describe, expect, it, vi } from "vitest";
import { groupSchedule, isFull, renderSchedule, slotLabel } from "./schedule";
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

describe("renderSchedule", () => {
  it("shows the week's counts again on refresh (after the drawer booked a slot)", async () => {
    let booked = 0;
    const weekSchedule = vi.fn(async (): Promise<Schedule> => ({ facilities: [facility("sauna")], inserted: 0, slots: [slot("a", "sauna", "2026-11-23", "07:00:00", booked, 2)] }));
    const main = document.createElement("main");
    const screen = renderSchedule(main, { api: { weekSchedule }, today: "2026-11-25" });
    const count = () => main.querySelector("[data-testid=schedule] .slot-count")?.textContent;
    await vi.waitFor(() => expect(count()).toBe("0/2"));
    booked = 1;
    await screen.refresh();
    expect(weekSchedule).toHaveBeenCalledTimes(2);
    expect(weekSchedule).toHaveBeenLastCalledWith("2026-11-23");
    expect(count()).toBe("1/2");
  });
});
