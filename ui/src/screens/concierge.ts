// The concierge drawer, keyboard first: member → Recovery (R) or Class (C) → a day (+/−, T) →
// a slot in its facility's column (arrows, or type the time) → Enter. "Override capacity" and
// "Override plan allowance" (managers; reason required), "Join waitlist" when a class is full,
// Esc to close. Focus goes where the next key belongs and every outcome is announced; one
// idempotency key per confirm, so a retry never doubles (concierge-confirm.ts).
import { ApiError, type Api } from "../api";
import type { BookingKind } from "../bindings";
import type { StaffSession } from "../bindings";
import { h } from "../dom";
import { dateOrderFor, todayIn, type DateOrder } from "../format";
import { renderChoiceList } from "../widgets/choice-list";
import { renderDayField } from "../widgets/day-field";
import { openDrawer } from "../widgets/drawer";
import { hitName, renderMemberSearch } from "../widgets/member-search";
import { choiceFull, classChoices, slotChoices, type Choice } from "./concierge-choices";
import { bookingRequest, confirmProblem, ConfirmKeys, refusalText, type ConfirmState, type ReasonRules } from "./concierge-confirm";
import { renderOverrides } from "./concierge-overrides";

export interface ConciergeOptions {
  api: Pick<Api, "searchMembers" | "weekSchedule" | "upcomingClasses" | "createBooking">;
  staff: StaffSession;
  /** The override reason's limits, as the database holds them. */
  rules: ReasonRules;
  member?: { id: string; name: string } | null;
  /** What the drawer opens on: the kind and day used last (a day before today opens on today). */
  kind?: BookingKind;
  day?: string;
  today?: string;
  timeZone?: string;
  /** The branch's date order (default: from its time zone). */
  dateOrder?: DateOrder;
  /** Opens on this recovery slot (chosen on the schedule): its day, selected in its column. */
  slot?: { id: string; day: string; facility: string; time: string };
  onBooked: () => void;
  /** Told the kind and day on screen at close, for the next opening. */
  onClose: (last: { kind: BookingKind; day: string }) => void;
}

export interface Drawer {
  root: HTMLElement;
  close: () => void;
}

/** Keys the drawer takes anywhere but in a text field: the day and the kind. */
const DRAWER_KEYS: Record<string, "next" | "prev" | "today" | BookingKind> = { "+": "next", "=": "next", "-": "prev", "−": "prev", t: "today", T: "today", r: "recovery", R: "recovery", c: "class", C: "class" };

export function openConcierge(host: HTMLElement, options: ConciergeOptions): Drawer {
  const today = options.today ?? todayIn(options.timeZone);
  const state: ConfirmState = { member: options.member ?? null, choice: null, overrideCapacity: false, overrideAllowance: false, reason: "", joinWaitlist: false };
  const keys = new ConfirmKeys();
  let kind: BookingKind = options.slot ? "recovery" : (options.kind ?? "recovery");
  let asked = 0;

  const memberLine = h("p", { class: "chosen", "data-testid": "drawer-member" });
  const memberSearch = renderMemberSearch({
    api: options.api,
    id: "drawer-member-search",
    label: "Member",
    onChoose: (hit) => {
      state.member = { id: hit.member_id, name: hitName(hit) };
      drawMember();
      say("");
      list.focus();
    },
  });
  const changeMember = h("button", { type: "button", class: "link-button" }, "Change");
  changeMember.addEventListener("click", () => {
    state.member = null;
    drawMember();
    say("");
    memberSearch.input.focus();
  });
  const drawMember = () => {
    memberSearch.root.classList.toggle("hidden", Boolean(state.member));
    memberLine.replaceChildren(...(state.member ? ["Member: ", h("strong", {}, state.member.name), " ", changeMember] : []));
    sync();
  };

  const kindInputs = {
    recovery: h("input", { type: "radio", name: "drawer-kind", id: "drawer-kind-recovery", value: "recovery", checked: kind === "recovery" }),
    class: h("input", { type: "radio", name: "drawer-kind", id: "drawer-kind-class", value: "class", checked: kind === "class" }),
  };
  const day = renderDayField({
    id: "drawer-date",
    label: "Day",
    order: options.dateOrder ?? dateOrderFor(options.timeZone),
    today,
    value: options.slot?.day ?? (options.day && options.day >= today ? options.day : today),
    onChange: () => {
      say("");
      void loadChoices();
    },
  });
  const list = renderChoiceList<Choice>({
    id: "drawer-choices",
    label: "Class or slot",
    onSelect: (c) => {
      if (c?.id !== state.choice?.id) say("");
      state.choice = c;
      sync();
    },
    onSubmit: () => form.requestSubmit(),
  });
  if (options.slot) list.prefer({ id: options.slot.id, group: options.slot.facility, time: options.slot.time });
  const listStatus = h("p", { class: "form-status", role: "status", "data-testid": "choices-status" });
  const overrides = renderOverrides(options.staff.can_override, options.rules.override_reason_max, () => {
    state.overrideCapacity = overrides.capacity();
    state.overrideAllowance = overrides.allowance();
    state.reason = overrides.reason();
    // A problem solved (the reason given): its message goes.
    if (result.classList.contains("is-error") && confirmProblem(state, options.rules) === null) say("");
  });
  const waitlist = h("input", { type: "checkbox", id: "drawer-waitlist", "data-testid": "join-waitlist" });
  const waitlistField = h("div", { class: "check hidden" }, waitlist, h("label", { for: "drawer-waitlist" }, "Join waitlist (the class is full)"));
  const confirm = h("button", { type: "submit", class: "primary", "data-testid": "drawer-confirm" }, "Confirm booking");
  // Announced as it changes; focused after a booking, so Esc or Tab is the next key.
  const result = h("p", { class: "form-status", role: "status", "aria-live": "polite", tabindex: "-1", "data-testid": "drawer-result" });
  const say = (text: string, tone?: "ok" | "error") => {
    result.textContent = text;
    result.classList.toggle("is-ok", tone === "ok");
    result.classList.toggle("is-error", tone === "error");
    if (tone !== "ok") delete result.dataset.bookingId;
  };

  const sync = () => {
    const fullClass = state.choice?.kind === "class" && choiceFull(state.choice);
    waitlistField.classList.toggle("hidden", !fullClass);
    if (!fullClass) state.joinWaitlist = waitlist.checked = false;
  };

  /** Loads the day's choices; the list keeps its selection (same slot, else same facility and time). */
  const loadChoices = async () => {
    const ticket = ++asked;
    state.choice = null;
    sync();
    listStatus.classList.remove("is-error");
    listStatus.textContent = "Loading…";
    list.clear();
    try {
      const d = day.value();
      const choices =
        kind === "recovery"
          ? slotChoices(await options.api.weekSchedule(d), d, Date.now())
          : classChoices(await options.api.upcomingClasses(d, 1), options.timeZone, Date.now());
      if (ticket !== asked) return;
      listStatus.textContent = choices.length ? "" : `Nothing to book on ${day.input.value}. Press + for the next day.`;
      list.show(choices);
    } catch (e) {
      if (ticket !== asked) return;
      listStatus.textContent = refusalText(e, null, options.staff.can_override, "");
      listStatus.classList.add("is-error");
    }
  };

  const setKind = (k: BookingKind) => {
    if (k === kind) return;
    kind = k;
    kindInputs[k].checked = true;
    say("");
    void loadChoices();
  };
  for (const input of Object.values(kindInputs)) input.addEventListener("change", () => setKind(input.value as BookingKind));
  // After a new day by Enter in the field, the list is where the next key belongs.
  day.root.addEventListener("day-committed", () => list.focus());
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
      h("span", { class: "check" }, kindInputs.recovery, h("label", { for: kindInputs.recovery.id }, "Recovery ", h("kbd", {}, "R"))),
      h("span", { class: "check" }, kindInputs.class, h("label", { for: kindInputs.class.id }, "Class ", h("kbd", {}, "C"))),
    ),
    day.root,
    h("p", { class: "muted small keys-hint", id: "drawer-keys" }, "Arrows move, ←/→ another facility, type a time (18, 1830) to jump, + / − / T change the day, Enter books."),
    listStatus,
    list.root,
    waitlistField,
    overrides.root,
    confirm,
    result,
  );
  list.root.setAttribute("aria-describedby", "drawer-keys");

  form.addEventListener("keydown", (e) => {
    const target = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && ["text", "search"].includes(target.type))) return;
    const action = DRAWER_KEYS[e.key];
    if (!action) return;
    e.preventDefault();
    if (action === "next") day.step(1);
    else if (action === "prev") day.step(-1);
    else if (action === "today") day.set(today);
    else setKind(action);
    list.focus();
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const problem = confirmProblem(state, options.rules);
    const request = bookingRequest(state, options.rules);
    if (problem || !request) {
      say(problem ?? "Choose a class or slot.", "error");
      if (!state.member) memberSearch.input.focus();
      else if (!state.choice) list.focus();
      else overrides.focusReason();
      return;
    }
    const key = keys.keyFor(request);
    const choice = state.choice!;
    const member = state.member!;
    confirm.disabled = true;
    confirm.textContent = "Booking…";
    say("");
    try {
      const booking = await options.api.createBooking({ ...request, idempotency_key: key });
      keys.reset();
      options.onBooked();
      overrides.reset();
      state.overrideCapacity = state.overrideAllowance = false;
      state.reason = "";
      await loadChoices();
      say(`${booking.status === "waitlisted" ? "On the waitlist" : "Booked"}: ${member.name}, ${choice.what}.`, "ok");
      result.dataset.bookingId = booking.id;
      result.focus();
    } catch (err) {
      // Another desk took the last place after the list loaded: fresh counts show it full (and,
      // for a class, bring up the waitlist). The refusal stored nothing, and a waitlist confirm is
      // a new request with its own key. The selection stays on the slot; the list has the focus.
      if (err instanceof ApiError && err.code === "full") await loadChoices();
      say(refusalText(err, choice, options.staff.can_override, member.name), "error");
      list.focus();
    } finally {
      confirm.disabled = false;
      confirm.textContent = "Confirm booking";
    }
  });

  // A stray click beside the drawer closes it only while nothing has been entered in it.
  const memberAtOpen = state.member?.id;
  const kindAtOpen = kind;
  const dayAtOpen = day.value();
  const untouched = () =>
    state.member?.id === memberAtOpen && !state.choice && !memberSearch.input.value.trim() && overrides.untouched() &&
    kind === kindAtOpen && day.value() === dayAtOpen;
  const drawer = openDrawer(host, { title: "New booking", testId: "concierge", body: form, closesOnBackdrop: untouched, onClose: () => options.onClose({ kind, day: day.value() }) });
  drawMember();
  void loadChoices();
  if (state.member) list.focus();
  else memberSearch.input.focus();
  return drawer;
}
