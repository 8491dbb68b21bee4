import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api";
import RULES from "../fixtures/booking-rules.json";
import { openConcierge } from "./concierge";
import { availability, classChoices, slotChoices, type Choice } from "./concierge-choices";
import { bookingRequest, ConfirmKeys, confirmProblem, refusalText, type ConfirmState } from "./concierge-confirm";
import { frontDesk, manager } from "../test-fixtures";

const slot: Choice = { kind: "recovery", id: "s1", group: "Cold Plunge", time: "07:00", label: "Cold Plunge · 07:00–07:30", short: "07:00–07:30", places: "Full: 2 of 2 booked", full: true, booked: 2, capacity: 2, what: "Cold Plunge, Fri 1 Jan 07:00–07:30" };
const base: ConfirmState = { member: { id: "m1", name: "Ana Lopez" }, choice: slot, overrideCapacity: false, overrideAllowance: false, reason: "", joinWaitlist: false };

describe("availability", () => {
  it("says places left or full in staff words", () => {
    expect(availability({ ...slot, booked: 1 })).toBe("1 place left");
    expect(availability({ ...slot, booked: 0, capacity: 8 })).toBe("8 places left");
    expect(availability({ ...slot, capacity: 8, booked: 8, waitlist: 2 })).toBe("Full: 8 of 8 booked, 2 waiting");
    expect(availability(slot)).toBe("Full: 2 of 2 booked");
  });
});

describe("confirm", () => {
  it("needs a member, a choice, and a reason when overriding", () => {
    expect(confirmProblem({ ...base, member: null }, RULES)).toBe("Choose a member first.");
    expect(confirmProblem({ ...base, choice: null }, RULES)).toBe("Choose a class or slot.");
    expect(confirmProblem({ ...base, overrideCapacity: true, reason: "  " }, RULES)).toBe("Give a reason for the override.");
    expect(confirmProblem({ ...base, overrideCapacity: true, reason: "Physio referral" }, RULES)).toBeNull();
    expect(confirmProblem(base, RULES)).toBeNull();
  });

  it("sends the override reason only with an override, and the waitlist only for classes", () => {
    expect(bookingRequest({ ...base, reason: "stale" }, RULES)).toEqual({ kind: "recovery", target_id: "s1", member_id: "m1", override_capacity: false, override_allowance: false, override_reason: null, join_waitlist: false });
    expect(bookingRequest({ ...base, overrideCapacity: true, reason: " Physio " }, RULES)?.override_reason).toBe("Physio");
    expect(bookingRequest({ ...base, joinWaitlist: true }, RULES)?.join_waitlist).toBe(false);
    expect(bookingRequest({ ...base, joinWaitlist: true, choice: { ...slot, kind: "class" } }, RULES)?.join_waitlist).toBe(true);
    expect(bookingRequest({ ...base, member: null }, RULES)).toBeNull();
  });
});

describe("ConfirmKeys", () => {
  it("reuses the key when the same confirm is retried and makes a new one for a changed request or after success", () => {
    let n = 0;
    const keys = new ConfirmKeys(() => `k${++n}`);
    const request = bookingRequest(base, RULES)!;
    expect(keys.keyFor(request)).toBe("k1");
    expect(keys.keyFor({ ...request })).toBe("k1");
    expect(keys.keyFor({ ...request, override_capacity: true, override_reason: "x" })).toBe("k2");
    keys.reset();
    expect(keys.keyFor({ ...request, override_capacity: true, override_reason: "x" })).toBe("k3");
  });
});

describe("slotChoices", () => {
  const at = (id: string, facility: string, day: string, start: string, end: string) => ({
    id,
    facility_id: facility,
    starts_at: `${day}T${start}:00Z`,
    ends_at: `${day}T${end}:00Z`,
    local_date: day,
    local_start: `${start}:00`,
    local_end: `${end}:00`,
    capacity: 4,
    booked_count: 1,
  });
  const schedule = {
    inserted: 0,
    facilities: [
      { id: "sauna", branch_id: "b1", name: "Sauna", kind: "sauna", is_active: true, under_maintenance: false, available_days: [] },
      { id: "plunge", branch_id: "b1", name: "Cold Plunge", kind: "plunge", is_active: true, under_maintenance: false, available_days: [] },
      { id: "steam", branch_id: "b1", name: "Steam", kind: "steam", is_active: true, under_maintenance: true, available_days: [] },
    ],
    slots: [
      at("over", "sauna", "2030-05-06", "07:00", "07:30"),
      at("started", "sauna", "2030-05-06", "08:00", "08:30"),
      at("sauna-9", "sauna", "2030-05-06", "09:00", "09:30"),
      at("plunge-9", "plunge", "2030-05-06", "09:00", "09:15"),
      at("steam-9", "steam", "2030-05-06", "09:00", "09:30"),
      at("next-day", "sauna", "2030-05-07", "09:00", "09:30"),
    ],
  };

  it("offers the day's slots that have not started, of open facilities, by time then facility", () => {
    const now = Date.parse("2030-05-06T08:10:00Z"); // the 08:00 slot is under way
    const got = slotChoices(schedule, "2030-05-06", now);
    expect(got.map((c) => c.id)).toEqual(["plunge-9", "sauna-9"]);
    expect(got[0]).toEqual({ kind: "recovery", id: "plunge-9", group: "Cold Plunge", time: "09:00", label: "Cold Plunge · 09:00–09:15", short: "09:00–09:15", places: "3 places left", full: false, booked: 1, capacity: 4, what: "Cold Plunge, Mon 6 May 09:00–09:15" });
  });

  it("drops a slot at the instant it starts", () => {
    expect(slotChoices(schedule, "2030-05-06", Date.parse("2030-05-06T08:59:59Z")).map((c) => c.id)).toEqual(["plunge-9", "sauna-9"]);
    expect(slotChoices(schedule, "2030-05-06", Date.parse("2030-05-06T09:00:00Z"))).toEqual([]);
  });
});

describe("classChoices", () => {
  it("puts the day's classes in one column by their start at the branch, with what and when for messages", () => {
    const spin = { id: "c1", branch_id: "b1", title: "Spin", instructor: "Ana Ruiz", starts_at: "2030-07-01T17:00:00Z", ends_at: "2030-07-01T17:45:00Z", capacity: 8, booked_count: 8, waitlist_count: 1 };
    const [c] = classChoices([spin, { ...spin, id: "past", starts_at: "2030-07-01T06:00:00Z" }], "Europe/London", Date.parse("2030-07-01T08:00:00Z"));
    expect(c).toMatchObject({ group: "Classes", time: "18:00", short: "18:00 Spin · Ana Ruiz", full: true, places: "Full: 8 of 8 booked, 1 waiting", what: "Spin, Mon 1 Jul, 18:00" });
    expect(c.label.startsWith("Spin · ")).toBe(true);
  });
});

describe("refusalText", () => {
  it("says what was refused and what to do next, by who is at the desk", () => {
    const full = new ApiError("full", "Full: 2 of 2 booked");
    expect(refusalText(full, slot, false, "Ana Lopez")).toBe("Full: 2 of 2 booked. Choose another time (↑/↓, or type it) or facility (←/→), or ask a manager to override.");
    expect(refusalText(full, slot, true, "Ana Lopez")).toContain("tick “Override capacity” and give a reason");
    expect(refusalText(full, { ...slot, kind: "class" }, false, "Ana Lopez")).toBe("Full: 2 of 2 booked. Tick “Join waitlist” and confirm to put Ana Lopez on the waitlist, or choose another class.");
    expect(refusalText(new ApiError("already_booked", "Already booked"), slot, false, "Ana Lopez")).toBe("Already booked: Ana Lopez already has Cold Plunge, Fri 1 Jan 07:00–07:30 (see the member panel's upcoming bookings). Choose another time to book another.");
    expect(refusalText(new ApiError("allowance_used", "Recovery: 4 of 4 used this month."), slot, false, "Ana Lopez")).toBe("Recovery: 4 of 4 used this month. A manager can override the plan allowance, or book on a day in the next period.");
    expect(refusalText(new ApiError("unavailable", "The club database cannot be reached."), slot, true, "Ana Lopez")).toBe("The club database cannot be reached.");
  });
});

describe("openConcierge", () => {
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const key = (el: Element | null, k: string) => el!.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
  const list = (d: { root: HTMLElement }) => d.root.querySelector("[data-testid=drawer-choices]") as HTMLElement;
  const selected = (d: { root: HTMLElement }) => d.root.querySelector("[role=option][aria-selected=true] .choice-label")?.textContent ?? null;
  const schedule = {
    inserted: 0,
    facilities: [
      { id: "f1", branch_id: "b1", name: "Cold Plunge", kind: "plunge", is_active: true, under_maintenance: false, available_days: [] },
      { id: "f2", branch_id: "b1", name: "Steam", kind: "steam", is_active: true, under_maintenance: true, available_days: [] },
    ],
    slots: [
      { id: "s1", facility_id: "f1", starts_at: "2999-01-01T07:00:00Z", ends_at: "2999-01-01T07:30:00Z", local_date: "2999-01-01", local_start: "07:00:00", local_end: "07:30:00", capacity: 2, booked_count: 2 },
      { id: "s2", facility_id: "f2", starts_at: "2999-01-01T07:00:00Z", ends_at: "2999-01-01T07:30:00Z", local_date: "2999-01-01", local_start: "07:00:00", local_end: "07:30:00", capacity: 2, booked_count: 0 },
    ],
  };

  // A real day's shape: three facilities, a slot every 45 minutes from 07:00 to 20:15, two days.
  const facilities = [
    { id: "sauna", branch_id: "b1", name: "Sauna", kind: "sauna", is_active: true, under_maintenance: false, available_days: [] },
    { id: "plunge", branch_id: "b1", name: "Cold Plunge", kind: "plunge", is_active: true, under_maintenance: false, available_days: [] },
    { id: "infra", branch_id: "b1", name: "Infrared Sauna", kind: "sauna", is_active: true, under_maintenance: false, available_days: [] },
  ];
  const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const busyDay = (day: string) => ({
    inserted: 0,
    facilities,
    slots: facilities.flatMap((f) =>
      Array.from({ length: 18 }, (_, i) => {
        const start = 7 * 60 + i * 45;
        return { id: `${f.id}-${day}-${clock(start)}`, facility_id: f.id, starts_at: `${day}T${clock(start)}:00Z`, ends_at: `${day}T${clock(start + 45)}:00Z`, local_date: day, local_start: `${clock(start)}:00`, local_end: `${clock(start + 45)}:00`, capacity: 4, booked_count: i % 5 };
      }),
    ),
  });

  it("books tomorrow's sauna at 18:00 by keys alone: + for the day, the time typed, → to the facility, Enter", async () => {
    document.body.replaceChildren();
    const weekSchedule = vi.fn(async (day: string) => busyDay(day));
    const createBooking = vi.fn().mockResolvedValue({ id: "bk", status: "booked" });
    const api = { searchMembers: vi.fn(), weekSchedule, upcomingClasses: vi.fn(async () => []), createBooking };
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", timeZone: "Europe/London", onBooked: vi.fn(), onClose: vi.fn() });
    await flush();
    expect(document.activeElement).toBe(list(drawer)); // the member is known: the list is next
    const keys = ["+", "1", "8", "ArrowRight", "ArrowRight", "Enter"];
    key(document.activeElement, keys[0]);
    await flush();
    expect(weekSchedule).toHaveBeenLastCalledWith("2999-01-02");
    expect((drawer.root.querySelector("#drawer-date") as HTMLInputElement).value).toBe("Wed 02/01/2999"); // day first in London, with the weekday
    expect(drawer.root.querySelector(".day-relative")!.textContent).toBe("Tomorrow");
    expect(document.activeElement).toBe(list(drawer));
    expect([...drawer.root.querySelectorAll(".choice-group")].map((g) => g.textContent)).toEqual(["Cold Plunge", "Infrared Sauna", "Sauna"]);
    key(list(drawer), "1");
    key(list(drawer), "8");
    expect(selected(drawer)).toBe("Cold Plunge · 18:15–19:00"); // the first start in the 18s
    key(list(drawer), "ArrowRight");
    key(list(drawer), "ArrowRight");
    expect(selected(drawer)).toBe("Sauna · 18:15–19:00"); // the same time, two facilities on
    key(list(drawer), "Enter");
    await flush();
    await flush();
    expect(createBooking).toHaveBeenCalledWith(expect.objectContaining({ target_id: "sauna-2999-01-02-18:15", member_id: "m1", kind: "recovery" }));
    const result = drawer.root.querySelector("[data-testid=drawer-result]")!;
    expect(result.textContent).toBe("Booked: Ana Lopez, Sauna, Wed 2 Jan 18:15–19:00.");
    expect(document.activeElement).toBe(result); // announced, and Esc or Tab is the next key
    expect(selected(drawer)).toBe("Sauna · 18:15–19:00"); // the list did not jump back to the top
    expect(keys.length).toBe(6);
  });

  it("applies a time typed while the day loads, once it arrives, and keeps the facility and time across days", async () => {
    document.body.replaceChildren();
    let release: (v: unknown) => void = () => {};
    const weekSchedule = vi.fn((day: string) => (day === "2999-01-01" ? Promise.resolve(busyDay(day)) : new Promise<ReturnType<typeof busyDay>>((r) => (release = () => r(busyDay(day))))));
    const api = { searchMembers: vi.fn(), weekSchedule, upcomingClasses: vi.fn(async () => []), createBooking: vi.fn() };
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", onBooked: vi.fn(), onClose: vi.fn() });
    await flush();
    key(list(drawer), "ArrowDown");
    key(list(drawer), "ArrowRight");
    key(list(drawer), "1");
    key(list(drawer), "2");
    expect(selected(drawer)).toBe("Infrared Sauna · 12:15–13:00");
    key(list(drawer), "+");
    await flush();
    expect(selected(drawer)).toBeNull(); // loading
    release(undefined);
    await flush();
    expect(selected(drawer)).toBe("Infrared Sauna · 12:15–13:00"); // same facility and time, next day
    expect(drawer.root.querySelector("[role=option][aria-selected=true]")!.id).toContain("infra-2999-01-02");
    key(list(drawer), "-");
    await flush();
    key(list(drawer), "+");
    key(list(drawer), "9"); // typed before the day arrived
    release(undefined);
    await flush();
    expect(selected(drawer)).toBe("Infrared Sauna · 09:15–10:00");
  });

  it("takes no slot of a list that has gone (a click that commits a new day first)", async () => {
    document.body.replaceChildren();
    let release: (v: unknown) => void = () => {};
    const weekSchedule = vi.fn((day: string) => (day === "2999-01-01" ? Promise.resolve(busyDay(day)) : new Promise<ReturnType<typeof busyDay>>((r) => (release = () => r(busyDay(day))))));
    const createBooking = vi.fn();
    const api = { searchMembers: vi.fn(), weekSchedule, upcomingClasses: vi.fn(async () => []), createBooking };
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", onBooked: vi.fn(), onClose: vi.fn() });
    await flush();
    const old = drawer.root.querySelector("[data-testid=drawer-choice]")!;
    key(list(drawer), "+"); // the next day loads; the old list is gone
    old.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
    expect(selected(drawer)).toBeNull();
    key(list(drawer), "Enter");
    await flush();
    expect(createBooking).not.toHaveBeenCalled();
    expect(drawer.root.querySelector("[data-testid=drawer-result]")!.textContent).toBe("Choose a class or slot.");
    release(undefined);
  });

  it("switches to classes with C and back with R, clearing a message that no longer applies", async () => {
    document.body.replaceChildren();
    const spin = { id: "c1", branch_id: "b1", title: "Spin", instructor: null, starts_at: "2999-01-01T18:00:00Z", ends_at: "2999-01-01T18:45:00Z", capacity: 8, booked_count: 3, waitlist_count: 0 };
    const upcomingClasses = vi.fn(async () => [spin]);
    const createBooking = vi.fn().mockRejectedValueOnce(new ApiError("allowance_used", "Recovery: 4 of 4 used this month."));
    const api = { searchMembers: vi.fn(), weekSchedule: vi.fn(async (d: string) => busyDay(d)), upcomingClasses, createBooking };
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", timeZone: "UTC", onBooked: vi.fn(), onClose: vi.fn() });
    await flush();
    key(list(drawer), "ArrowDown");
    key(list(drawer), "Enter");
    await flush();
    await flush();
    const result = drawer.root.querySelector("[data-testid=drawer-result]")!;
    expect(result.textContent).toContain("A manager can override the plan allowance");
    expect(document.activeElement).toBe(list(drawer)); // refused: back in the list, on the same slot
    expect(selected(drawer)).toBe("Cold Plunge · 07:00–07:45");
    key(list(drawer), "c");
    await flush();
    expect(result.textContent).toBe(""); // the recovery refusal does not apply to a class
    expect((drawer.root.querySelector("#drawer-kind-class") as HTMLInputElement).checked).toBe(true);
    expect(upcomingClasses).toHaveBeenCalledWith("2999-01-01", 1);
    key(list(drawer), "ArrowDown");
    expect(selected(drawer)).toMatch(/^Spin · /);
    key(list(drawer), "r");
    await flush();
    expect((drawer.root.querySelector("#drawer-kind-recovery") as HTMLInputElement).checked).toBe(true);
  });

  it("opens on the kind and day used last (today when that day has gone) and says them at close", async () => {
    document.body.replaceChildren();
    const upcomingClasses = vi.fn(async () => []);
    const api = { searchMembers: vi.fn(), weekSchedule: vi.fn(async (d: string) => busyDay(d)), upcomingClasses, createBooking: vi.fn() };
    const onClose = vi.fn();
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: null, kind: "class", day: "2999-01-03", today: "2999-01-01", onBooked: vi.fn(), onClose });
    await flush();
    expect(upcomingClasses).toHaveBeenCalledWith("2999-01-03", 1);
    expect(drawer.root.querySelector("[data-testid=choices-status]")!.textContent).toBe("Nothing to book on Thu 03/01/2999. Press + for the next day.");
    drawer.close();
    expect(onClose).toHaveBeenCalledWith({ kind: "class", day: "2999-01-03" });
    const again = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, kind: "recovery", day: "2998-12-30", today: "2999-01-01", onBooked: vi.fn(), onClose });
    expect((again.root.querySelector("#drawer-date") as HTMLInputElement).value).toBe("Tue 01/01/2999");
    again.close();
  });

  it("takes a typed date in the branch's order whatever the PC's, and says how to type one it cannot read", async () => {
    document.body.replaceChildren();
    const weekSchedule = vi.fn(async (d: string) => busyDay(d));
    const api = { searchMembers: vi.fn(), weekSchedule, upcomingClasses: vi.fn(async () => []), createBooking: vi.fn() };
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2026-12-01", timeZone: "Europe/London", onBooked: vi.fn(), onClose: vi.fn() });
    await flush();
    const input = drawer.root.querySelector("#drawer-date") as HTMLInputElement;
    input.focus();
    input.value = "02/12/2026";
    key(input, "Enter");
    await flush();
    expect(weekSchedule).toHaveBeenLastCalledWith("2026-12-02"); // 2 December, not 12 February
    expect(input.value).toBe("Wed 02/12/2026");
    expect(document.activeElement).toBe(list(drawer));
    input.value = "31/02/2026";
    input.dispatchEvent(new Event("change"));
    const problem = drawer.root.querySelector("#drawer-date-problem")!;
    expect(problem.textContent).toBe("“31/02/2026” is not a date: type it as dd/mm/yyyy, e.g. 01/12/2026.");
    expect(weekSchedule).toHaveBeenCalledTimes(2);
    key(input, "ArrowUp"); // a day on from the shown day, and the problem goes
    await flush();
    expect(weekSchedule).toHaveBeenLastCalledWith("2026-12-03");
    expect(problem.classList.contains("hidden")).toBe(true);
  });

  it("refuses a full slot with the shell's words and what to do, retries with the same key, and books with an override", async () => {
    document.body.replaceChildren();
    const createBooking = vi
      .fn()
      .mockRejectedValueOnce(new ApiError("full", "Full: 2 of 2 booked"))
      .mockRejectedValueOnce(new ApiError("unavailable", "The club database cannot be reached."))
      .mockResolvedValueOnce({ id: "bk", status: "booked" });
    const api = { searchMembers: vi.fn(), weekSchedule: vi.fn(async () => schedule), upcomingClasses: vi.fn(async () => []), createBooking };
    const onBooked = vi.fn();
    const onClose = vi.fn();
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: manager, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", onBooked, onClose });
    await flush();
    const choices = drawer.root.querySelectorAll("[data-testid=drawer-choice]");
    expect(choices.length).toBe(1); // the maintenance facility's slot is not offered
    expect(choices[0].textContent).toContain("Full: 2 of 2 booked");
    key(list(drawer), "ArrowDown");
    const form = drawer.root.querySelector("form")!;
    const result = drawer.root.querySelector("[data-testid=drawer-result]")!;

    form.requestSubmit();
    await flush();
    await flush();
    expect(result.textContent).toBe("Full: 2 of 2 booked. Choose another time (↑/↓, or type it) or facility (←/→), or tick “Override capacity” and give a reason.");
    expect(api.weekSchedule).toHaveBeenCalledTimes(2); // fresh counts after the refusal
    expect(selected(drawer)).toBe("Cold Plunge · 07:00–07:30");

    const override = drawer.root.querySelector("[data-testid=override-capacity]") as HTMLInputElement;
    override.checked = true;
    override.dispatchEvent(new Event("change"));
    expect(drawer.root.querySelector("#drawer-reason")!.closest(".field")!.classList.contains("hidden")).toBe(false);
    expect(document.activeElement?.id).toBe("drawer-reason");
    form.requestSubmit();
    await flush();
    expect(result.textContent).toBe("Give a reason for the override.");
    expect(createBooking).toHaveBeenCalledTimes(1);

    const reason = drawer.root.querySelector("#drawer-reason") as HTMLInputElement;
    expect(reason.maxLength).toBe(500); // the database's limit (it was 200 here, 500 there)
    expect(drawer.root.querySelector("#drawer-reason-count")!.textContent).toBe("Up to 500 characters.");
    reason.value = "Physio referral";
    reason.dispatchEvent(new Event("input"));
    expect(result.textContent).toBe(""); // the problem is solved: its message goes
    form.requestSubmit();
    await flush();
    expect(result.textContent).toBe("The club database cannot be reached.");
    form.requestSubmit(); // the retry of the same confirm
    await flush();
    await flush();
    expect(result.textContent).toBe("Booked: Ana Lopez, Cold Plunge, Tue 1 Jan 07:00–07:30.");
    expect(onBooked).toHaveBeenCalledOnce();
    const [, second, third] = createBooking.mock.calls.map((c) => c[0]);
    expect(second.override_capacity).toBe(true);
    expect(second.override_reason).toBe("Physio referral");
    expect(third.idempotency_key).toBe(second.idempotency_key);
    expect(createBooking.mock.calls[0][0].idempotency_key).not.toBe(second.idempotency_key);

    reason.value = "x".repeat(460);
    reason.dispatchEvent(new Event("input"));
    expect(drawer.root.querySelector("#drawer-reason-count")!.textContent).toBe("460 of 500 characters.");

    drawer.root.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(onClose).toHaveBeenCalled();
    expect(document.querySelector("[data-testid=concierge]")).toBeNull();
  });

  it("offers the waitlist when another desk filled the class after the list loaded, keeping the member, the class and a fresh key", async () => {
    document.body.replaceChildren();
    const spin = { id: "c1", branch_id: "b1", title: "Spin", instructor: null, starts_at: "2999-01-01T18:00:00Z", ends_at: "2999-01-01T18:45:00Z", capacity: 8, booked_count: 7, waitlist_count: 0 };
    const upcomingClasses = vi.fn().mockResolvedValue([{ ...spin, booked_count: 8 }]).mockResolvedValueOnce([spin]);
    const createBooking = vi
      .fn()
      .mockRejectedValueOnce(new ApiError("full", "Full: 8 of 8 booked"))
      .mockResolvedValueOnce({ id: "bk", status: "waitlisted" });
    const api = { searchMembers: vi.fn(), weekSchedule: vi.fn(async () => schedule), upcomingClasses, createBooking };
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", onBooked: vi.fn(), onClose: vi.fn() });
    await flush();
    const classKind = drawer.root.querySelector("#drawer-kind-class") as HTMLInputElement;
    classKind.checked = true;
    classKind.dispatchEvent(new Event("change"));
    await flush();
    key(list(drawer), "ArrowDown");
    const waitlistField = drawer.root.querySelector("[data-testid=join-waitlist]")!.closest(".check")!;
    expect(waitlistField.classList.contains("hidden")).toBe(true); // 7 of 8: not full when loaded
    const form = drawer.root.querySelector("form")!;
    const result = drawer.root.querySelector("[data-testid=drawer-result]")!;

    form.requestSubmit();
    await flush();
    await flush();
    expect(upcomingClasses).toHaveBeenCalledTimes(2);
    expect(waitlistField.classList.contains("hidden")).toBe(false);
    expect(result.textContent).toBe("Full: 8 of 8 booked. Tick “Join waitlist” and confirm to put Ana Lopez on the waitlist, or choose another class.");
    expect(drawer.root.querySelector("[data-testid=drawer-choice]")!.textContent).toContain("Full: 8 of 8 booked");
    expect(selected(drawer)).toMatch(/^Spin · /);

    const waitlist = drawer.root.querySelector("[data-testid=join-waitlist]") as HTMLInputElement;
    waitlist.checked = true;
    waitlist.dispatchEvent(new Event("change"));
    form.requestSubmit();
    await flush();
    await flush();
    expect(result.textContent).toContain("On the waitlist: Ana Lopez, Spin");
    const [refused, joined] = createBooking.mock.calls.map((c) => c[0]);
    expect([joined.member_id, joined.target_id, joined.join_waitlist]).toEqual(["m1", "c1", true]);
    expect(refused.join_waitlist).toBe(false);
    expect(joined.idempotency_key).not.toBe(refused.idempotency_key);
  });

  it("keeps the page behind out of reach while open, and a click beside it closes it only while nothing is entered", async () => {
    const app = document.createElement("div");
    document.body.replaceChildren(app);
    const api = { searchMembers: vi.fn(), weekSchedule: vi.fn(async () => ({ ...schedule, slots: [{ ...schedule.slots[0], booked_count: 0 }] })), upcomingClasses: vi.fn(async () => []), createBooking: vi.fn() };
    const onClose = vi.fn();
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", onBooked: vi.fn(), onClose });
    await flush();
    expect(app.hasAttribute("inert")).toBe(true);
    expect(drawer.root.hasAttribute("inert")).toBe(false);
    key(list(drawer), "ArrowDown");
    const backdrop = document.querySelector(".backdrop") as HTMLElement;
    backdrop.click(); // a slot is chosen: the click is ignored
    expect(onClose).not.toHaveBeenCalled();
    expect(document.querySelector("[data-testid=concierge]")).not.toBeNull();

    drawer.close();
    expect(app.hasAttribute("inert")).toBe(false);
    // Only typed into the member search, or only ticked an override: kept too.
    for (const touch of [
      (d: HTMLElement) => ((d.querySelector("#drawer-member-search") as HTMLInputElement).value = "Lop"),
      (d: HTMLElement) => ((d.querySelector("#drawer-override-allowance") as HTMLInputElement).checked = true),
    ]) {
      const touched = openConcierge(document.body, { api, rules: RULES, staff: manager, today: "2999-01-01", onBooked: vi.fn(), onClose });
      await flush();
      touch(touched.root);
      (document.querySelector(".backdrop") as HTMLElement).click();
      expect(touched.root.isConnected).toBe(true);
      touched.close();
    }
    onClose.mockClear();
    const pristine = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, member: { id: "m1", name: "Ana Lopez" }, today: "2999-01-01", onBooked: vi.fn(), onClose });
    await flush();
    (document.querySelector(".backdrop") as HTMLElement).click(); // nothing entered: closes
    expect(onClose).toHaveBeenCalledOnce();
    expect(pristine.root.isConnected).toBe(false);
    expect(app.hasAttribute("inert")).toBe(false);
  });

  it("gives the focus back to where it was on close, only if that is still on the page", async () => {
    const api = { searchMembers: vi.fn(), weekSchedule: vi.fn(async () => schedule), upcomingClasses: vi.fn(async () => []), createBooking: vi.fn() };
    const opener = document.createElement("button");
    document.body.replaceChildren(opener);
    opener.focus();
    let focusedAtClose: Element | null = null;
    const onClose = () => (focusedAtClose = document.activeElement);
    openConcierge(document.body, { api, rules: RULES, staff: frontDesk, today: "2999-01-01", onBooked: vi.fn(), onClose }).close();
    expect(focusedAtClose).toBe(opener);
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, today: "2999-01-01", onBooked: vi.fn(), onClose });
    opener.remove(); // redrawn behind the drawer
    drawer.close();
    expect(focusedAtClose).toBe(document.body); // onClose picks the place
  });

  it("lets only staff who may override tick the override", () => {
    document.body.replaceChildren();
    const api = { searchMembers: vi.fn(), weekSchedule: vi.fn(async () => schedule), upcomingClasses: vi.fn(async () => []), createBooking: vi.fn() };
    const drawer = openConcierge(document.body, { api, rules: RULES, staff: frontDesk, onBooked: vi.fn(), onClose: vi.fn() });
    expect((drawer.root.querySelector("[data-testid=override-capacity]") as HTMLInputElement).disabled).toBe(true);
    expect(document.activeElement?.id).toBe("drawer-member-search");
  });
});
