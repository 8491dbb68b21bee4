import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api";
import RULES from "../fixtures/booking-rules.json";
import { availability, bookingRequest, ConfirmKeys, confirmProblem, openConcierge, slotChoices, type Choice, type ConfirmState } from "./concierge";
import { frontDesk, manager } from "../test-fixtures";

const slot: Choice = { kind: "recovery", id: "s1", label: "Cold Plunge · 07:00–07:30", booked: 2, capacity: 2 };
const base: ConfirmState = { member: { id: "m1", name: "Ana Lopez" }, choice: slot, overrideCapacity: false, overrideAllowance: false, reason: "", joinWaitlist: false };

describe("availability", () => {
  it("says places left or full in staff words", () => {
    expect(availability({ ...slot, booked: 1 })).toBe("1 place left");
    expect(availability({ ...slot, booked: 0, capacity: 8 })).toBe("8 places left");
    expect(availability({ ...slot, capacity: 8, booked: 8, kind: "class", waitlist: 2 })).toBe("Full: 8 of 8 booked, 2 waiting");
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
    expect(got[0]).toEqual({ kind: "recovery", id: "plunge-9", label: "Cold Plunge · 09:00–09:15", booked: 1, capacity: 4 });
  });

  it("drops a slot at the instant it starts", () => {
    expect(slotChoices(schedule, "2030-05-06", Date.parse("2030-05-06T08:59:59Z")).map((c) => c.id)).toEqual(["plunge-9", "sauna-9"]);
    expect(slotChoices(schedule, "2030-05-06", Date.parse("2030-05-06T09:00:00Z"))).toEqual([]);
  });
});

describe("openConcierge", () => {
  const flush = () => new Promise((r) => setTimeout(r, 0));
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

  it("refuses a full slot with the shell's words, retries with the same key, and books with an override", async () => {
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
    const radio = drawer.root.querySelector("input[name=drawer-choice]") as HTMLInputElement;
    radio.checked = true;
    radio.dispatchEvent(new Event("change"));
    const form = drawer.root.querySelector("form")!;
    const result = drawer.root.querySelector("[data-testid=drawer-result]")!;

    form.requestSubmit();
    await flush();
    await flush();
    expect(result.textContent).toBe("Full: 2 of 2 booked");
    expect(api.weekSchedule).toHaveBeenCalledTimes(2); // fresh counts after the refusal
    expect((drawer.root.querySelector("input[name=drawer-choice]") as HTMLInputElement).checked).toBe(true);

    const override = drawer.root.querySelector("[data-testid=override-capacity]") as HTMLInputElement;
    override.checked = true;
    override.dispatchEvent(new Event("change"));
    expect(drawer.root.querySelector("#drawer-reason")!.closest(".field")!.classList.contains("hidden")).toBe(false);
    form.requestSubmit();
    await flush();
    expect(result.textContent).toBe("Give a reason for the override.");
    expect(createBooking).toHaveBeenCalledTimes(1);

    const reason = drawer.root.querySelector("#drawer-reason") as HTMLInputElement;
    expect(reason.maxLength).toBe(500); // the database's limit (it was 200 here, 500 there)
    reason.value = "Physio referral";
    reason.dispatchEvent(new Event("input"));
    form.requestSubmit();
    await flush();
    expect(result.textContent).toBe("The club database cannot be reached.");
    form.requestSubmit(); // the retry of the same confirm
    await flush();
    await flush();
    expect(result.textContent).toContain("Booked: Ana Lopez");
    expect(onBooked).toHaveBeenCalledOnce();
    const [, second, third] = createBooking.mock.calls.map((c) => c[0]);
    expect(second.override_capacity).toBe(true);
    expect(second.override_reason).toBe("Physio referral");
    expect(third.idempotency_key).toBe(second.idempotency_key);
    expect(createBooking.mock.calls[0][0].idempotency_key).not.toBe(second.idempotency_key);

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
    const radio = drawer.root.querySelector("input[name=drawer-choice]") as HTMLInputElement;
    radio.checked = true;
    radio.dispatchEvent(new Event("change"));
    const waitlistField = drawer.root.querySelector("[data-testid=join-waitlist]")!.closest(".check")!;
    expect(waitlistField.classList.contains("hidden")).toBe(true); // 7 of 8: not full when loaded
    const form = drawer.root.querySelector("form")!;
    const result = drawer.root.querySelector("[data-testid=drawer-result]")!;

    form.requestSubmit();
    await flush();
    await flush();
    expect(upcomingClasses).toHaveBeenCalledTimes(2);
    expect(waitlistField.classList.contains("hidden")).toBe(false);
    expect(result.textContent).toBe("Full: 8 of 8 booked. Tick “Join waitlist” and confirm to put Ana Lopez on the waitlist.");
    expect(drawer.root.querySelector("[data-testid=drawer-choice]")!.textContent).toContain("Full: 8 of 8 booked");
    expect((drawer.root.querySelector("input[name=drawer-choice]") as HTMLInputElement).checked).toBe(true);

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
    const radio = drawer.root.querySelector("input[name=drawer-choice]") as HTMLInputElement;
    radio.checked = true;
    radio.dispatchEvent(new Event("change"));
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
