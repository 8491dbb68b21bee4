// The concierge drawer: member → Class or Recovery → an available class or slot → confirm, with
// "Override capacity" (reason required), "Join waitlist" when a class is full, Esc to close.
// One idempotency key per confirm: a retry of the same request reuses it, so nothing doubles.
import { ApiError, errorText, type Api, type NewBooking } from "../api";
import type { BookingKind } from "../bindings";
import type { BookingRules } from "../bindings";
import type { Class } from "../bindings";
import type { Schedule } from "../bindings";
import type { StaffSession } from "../bindings";
import { h } from "../dom";
import { counted, dateTime, dayLabel, hhmm, placesLeft, todayIn } from "../format";
import { openDrawer } from "../widgets/drawer";
import { hitName, renderMemberSearch } from "../widgets/member-search";

/** One bookable thing in the list: a recovery slot or a class. */
export interface Choice {
  kind: BookingKind;
  id: string;
  label: string;
  booked: number;
  capacity: number;
  waitlist?: number;
}

export interface ConfirmState {
  member: { id: string; name: string } | null;
  choice: Choice | null;
  overrideCapacity: boolean;
  overrideAllowance: boolean;
  reason: string;
  joinWaitlist: boolean;
}

/**
 * The recovery slots the drawer offers for a local day: open facilities only, and only slots that
 * have not started (the database refuses a slot that has), by time, then facility name.
 */
export function slotChoices(schedule: Schedule, day: string, now: number): Choice[] {
  const open = new Set(schedule.facilities.filter((f) => f.is_active && !f.under_maintenance).map((f) => f.id));
  const names = new Map(schedule.facilities.map((f) => [f.id, f.name]));
  return schedule.slots
    .filter((s) => s.local_date === day && open.has(s.facility_id) && Date.parse(s.starts_at) > now)
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at) || (names.get(a.facility_id) ?? "").localeCompare(names.get(b.facility_id) ?? ""))
    .map((s) => ({ kind: "recovery", id: s.id, label: `${names.get(s.facility_id)} · ${hhmm(s.local_start)}–${hhmm(s.local_end)}`, booked: s.booked_count, capacity: s.capacity }));
}

export const choiceFull = (c: Pick<Choice, "booked" | "capacity">): boolean => c.booked >= c.capacity;

/** "3 places left" / "Full: 2 of 2 booked". */
export function availability(c: Choice): string {
  if (choiceFull(c)) return `Full: ${c.booked} of ${c.capacity} booked${c.waitlist ? `, ${c.waitlist} waiting` : ""}`;
  const left = placesLeft(c.booked, c.capacity);
  return `${counted(left, "place")} left`;
}

/** The override reason's limits, as the database holds them. */
export type ReasonRules = Pick<BookingRules, "override_reason_min" | "override_reason_max">;

/** What stops a confirm, in staff words; null when it may go. */
export function confirmProblem(s: ConfirmState, rules: ReasonRules): string | null {
  if (!s.member) return "Choose a member first.";
  if (!s.choice) return "Choose a class or slot.";
  if ((s.overrideCapacity || s.overrideAllowance) && s.reason.trim().length < rules.override_reason_min) return "Give a reason for the override.";
  return null;
}

/** The request for a confirm (without its key). */
export function bookingRequest(s: ConfirmState, rules: ReasonRules): Omit<NewBooking, "idempotency_key"> | null {
  if (confirmProblem(s, rules) || !s.member || !s.choice) return null;
  const overriding = s.overrideCapacity || s.overrideAllowance;
  return {
    kind: s.choice.kind,
    target_id: s.choice.id,
    member_id: s.member.id,
    override_capacity: s.overrideCapacity,
    override_allowance: s.overrideAllowance,
    override_reason: overriding ? s.reason.trim() : null,
    join_waitlist: s.choice.kind === "class" && s.joinWaitlist,
  };
}

/** Keeps one key per distinct request: the same request again (a retry) reuses its key. */
export class ConfirmKeys {
  private last: { signature: string; key: string } | null = null;
  constructor(private readonly make: () => string = () => crypto.randomUUID()) {}

  keyFor(request: object): string {
    const signature = JSON.stringify(request);
    if (this.last?.signature !== signature) this.last = { signature, key: this.make() };
    return this.last.key;
  }

  /** After a success the next confirm is a new booking. */
  reset(): void {
    this.last = null;
  }
}

/** The day's classes that have not started yet, as choices. */
export function classChoices(classes: Class[], timeZone: string | undefined, now: number): Choice[] {
  return classes
    .filter((c) => Date.parse(c.starts_at) > now)
    .map((c) => ({ kind: "class", id: c.id, label: `${c.title} · ${dateTime(c.starts_at, timeZone)}${c.instructor ? ` · ${c.instructor}` : ""}`, booked: c.booked_count, capacity: c.capacity, waitlist: c.waitlist_count }));
}

/** Draws the choices as radio buttons, `keep` checked if offered; `onPick` on a change. */
function drawChoices(list: HTMLElement, choices: Choice[], keep: string | undefined, onPick: (c: Choice) => void): void {
  list.replaceChildren(
    ...choices.map((c, i) => {
      const input = h("input", { type: "radio", name: "drawer-choice", id: `drawer-choice-${i}`, value: c.id, "data-full": choiceFull(c) ? "true" : "false", checked: c.id === keep });
      input.addEventListener("change", () => onPick(c));
      return h(
        "label",
        { class: `choice${choiceFull(c) ? " full" : ""}`, for: input.id, "data-testid": "drawer-choice" },
        input,
        h("span", { class: "choice-label" }, c.label),
        h("span", { class: "choice-places" }, availability(c)),
      );
    }),
  );
}

export interface ConciergeOptions {
  api: Pick<Api, "searchMembers" | "weekSchedule" | "upcomingClasses" | "createBooking">;
  staff: StaffSession;
  /** The override reason's limits, as the database holds them. */
  rules: ReasonRules;
  member?: { id: string; name: string } | null;
  today?: string;
  timeZone?: string;
  onBooked: () => void;
  onClose: () => void;
}

export interface Drawer {
  root: HTMLElement;
  close: () => void;
}

export function openConcierge(host: HTMLElement, options: ConciergeOptions): Drawer {
  const today = options.today ?? todayIn(options.timeZone);
  const state: ConfirmState = { member: options.member ?? null, choice: null, overrideCapacity: false, overrideAllowance: false, reason: "", joinWaitlist: false };
  const keys = new ConfirmKeys();
  let kind: BookingKind = "recovery";
  let choices: Choice[] = [];
  let asked = 0;

  const memberLine = h("p", { class: "chosen", "data-testid": "drawer-member" });
  const memberSearch = renderMemberSearch({
    api: options.api,
    id: "drawer-member-search",
    label: "Member",
    onChoose: (hit) => {
      state.member = { id: hit.member_id, name: hitName(hit) };
      drawMember();
      (kindInputs.recovery as HTMLInputElement).focus();
    },
  });
  const changeMember = h("button", { type: "button", class: "link-button" }, "Change");
  changeMember.addEventListener("click", () => {
    state.member = null;
    drawMember();
    memberSearch.input.focus();
  });
  const drawMember = () => {
    memberSearch.root.classList.toggle("hidden", Boolean(state.member));
    memberLine.replaceChildren(...(state.member ? ["Member: ", h("strong", {}, state.member.name), " ", changeMember] : []));
    sync();
  };

  const kindInputs = {
    recovery: h("input", { type: "radio", name: "drawer-kind", id: "drawer-kind-recovery", value: "recovery", checked: true }),
    class: h("input", { type: "radio", name: "drawer-kind", id: "drawer-kind-class", value: "class" }),
  };
  const date = h("input", { type: "date", id: "drawer-date", value: today });
  const list = h("div", { class: "choices", role: "radiogroup", "aria-label": "Class or slot", "data-testid": "drawer-choices" });
  const listStatus = h("p", { class: "form-status", role: "status" });
  const override = h("input", { type: "checkbox", id: "drawer-override", "data-testid": "override-capacity", disabled: !options.staff.can_override });
  const overrideAllowance = h("input", { type: "checkbox", id: "drawer-override-allowance", disabled: !options.staff.can_override });
  const reason = h("input", { type: "text", id: "drawer-reason", maxlength: String(options.rules.override_reason_max), "data-testid": "override-reason" });
  const reasonField = h("div", { class: "field hidden" }, h("label", { for: "drawer-reason" }, "Reason for the override (required)"), reason);
  const waitlist = h("input", { type: "checkbox", id: "drawer-waitlist", "data-testid": "join-waitlist" });
  const waitlistField = h("div", { class: "check hidden" }, waitlist, h("label", { for: "drawer-waitlist" }, "Join waitlist (the class is full)"));
  const confirm = h("button", { type: "submit", class: "primary", "data-testid": "drawer-confirm" }, "Confirm booking");
  const result = h("p", { class: "form-status", role: "alert", "data-testid": "drawer-result" });

  const sync = () => {
    reasonField.classList.toggle("hidden", !(state.overrideCapacity || state.overrideAllowance));
    const fullClass = state.choice?.kind === "class" && choiceFull(state.choice);
    waitlistField.classList.toggle("hidden", !fullClass);
    if (!fullClass) state.joinWaitlist = waitlist.checked = false;
  };

  /** Loads the day's choices; `keep` re-selects that choice (with its fresh counts) if still offered. */
  const loadChoices = async (keep?: string) => {
    const ticket = ++asked;
    state.choice = null;
    sync();
    listStatus.classList.remove("is-error");
    listStatus.textContent = "Loading…";
    list.replaceChildren();
    try {
      const day = date.value || today;
      choices =
        kind === "recovery"
          ? slotChoices(await options.api.weekSchedule(day), day, Date.now())
          : classChoices(await options.api.upcomingClasses(day, 1), options.timeZone, Date.now());
      if (ticket !== asked) return;
      listStatus.textContent = choices.length ? "" : `Nothing to book on ${dayLabel(day)}.`;
      drawChoices(list, choices, keep, (c) => {
        state.choice = c;
        sync();
      });
      state.choice = choices.find((c) => c.id === keep) ?? null;
      sync();
    } catch (e) {
      if (ticket !== asked) return;
      listStatus.textContent = errorText(e);
      listStatus.classList.add("is-error");
    }
  };

  for (const input of Object.values(kindInputs)) {
    input.addEventListener("change", () => {
      kind = input.value as BookingKind;
      void loadChoices();
    });
  }
  date.addEventListener("change", () => void loadChoices());
  override.addEventListener("change", () => {
    state.overrideCapacity = override.checked;
    sync();
    if (override.checked) reason.focus();
  });
  overrideAllowance.addEventListener("change", () => {
    state.overrideAllowance = overrideAllowance.checked;
    sync();
    if (overrideAllowance.checked) reason.focus();
  });
  reason.addEventListener("input", () => (state.reason = reason.value));
  waitlist.addEventListener("change", () => (state.joinWaitlist = waitlist.checked));

  const form = h(
    "form",
    { class: "drawer-form", novalidate: true },
    memberLine,
    memberSearch.root,
    h(
      "fieldset",
      { class: "kind" },
      h("legend", {}, "What"),
      h("span", { class: "check" }, kindInputs.recovery, h("label", { for: kindInputs.recovery.id }, "Recovery")),
      h("span", { class: "check" }, kindInputs.class, h("label", { for: kindInputs.class.id }, "Class")),
    ),
    h("div", { class: "field" }, h("label", { for: "drawer-date" }, "Day"), date),
    listStatus,
    list,
    waitlistField,
    h(
      "div",
      { class: "check" },
      override,
      h("label", { for: "drawer-override" }, "Override capacity"),
      options.staff.can_override ? null : h("span", { class: "muted small" }, "(managers only)"),
    ),
    h("div", { class: "check" }, overrideAllowance, h("label", { for: "drawer-override-allowance" }, "Override plan allowance")),
    reasonField,
    confirm,
    result,
  );

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    result.classList.remove("is-error", "is-ok");
    delete result.dataset.bookingId;
    const problem = confirmProblem(state, options.rules);
    const request = bookingRequest(state, options.rules);
    if (problem || !request) {
      result.textContent = problem ?? "Choose a class or slot.";
      result.classList.add("is-error");
      if (!state.member) memberSearch.input.focus();
      else if (state.choice && !state.reason.trim()) reason.focus();
      return;
    }
    const key = keys.keyFor(request);
    confirm.disabled = true;
    confirm.textContent = "Booking…";
    result.textContent = "";
    try {
      const booking = await options.api.createBooking({ ...request, idempotency_key: key });
      keys.reset();
      result.dataset.bookingId = booking.id;
      result.textContent = `${booking.status === "waitlisted" ? "On the waitlist" : "Booked"}: ${state.member!.name}, ${state.choice!.label}.`;
      result.classList.add("is-ok");
      options.onBooked();
      override.checked = overrideAllowance.checked = false;
      state.overrideCapacity = state.overrideAllowance = false;
      reason.value = state.reason = "";
      await loadChoices();
    } catch (err) {
      result.textContent = errorText(err);
      result.classList.add("is-error");
      // Another desk took the last place after the list loaded: fresh counts show it full (and,
      // for a class, bring up the waitlist). The refusal stored nothing, and a waitlist confirm is
      // a new request with its own key.
      if (err instanceof ApiError && err.code === "full") {
        await loadChoices(request.target_id);
        if (request.kind === "class" && state.member && state.choice?.id === request.target_id && choiceFull(state.choice)) {
          result.textContent = `${errorText(err)}. Tick “Join waitlist” and confirm to put ${state.member.name} on the waitlist.`;
        }
      }
    } finally {
      confirm.disabled = false;
      confirm.textContent = "Confirm booking";
    }
  });

  // A stray click beside the drawer closes it only while nothing has been entered in it.
  const memberAtOpen = state.member?.id;
  const untouched = () =>
    state.member?.id === memberAtOpen && !state.choice && !memberSearch.input.value.trim() && !reason.value.trim() &&
    !override.checked && !overrideAllowance.checked && kind === "recovery" && date.value === today;
  const drawer = openDrawer(host, { title: "New booking", testId: "concierge", body: form, closesOnBackdrop: untouched, onClose: options.onClose });
  drawMember();
  void loadChoices();
  if (state.member) kindInputs.recovery.focus();
  else memberSearch.input.focus();
  return drawer;
}
