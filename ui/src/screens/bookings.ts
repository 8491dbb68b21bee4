// All Bookings: classes and recovery together, filters, sort, keyset paging (the cursor from one
// page asks for the next), CSV export, and per-row Cancel / Check in / No-show with confirmation.
import { errorText, type Api } from "../api";
import type { BookingFilter } from "../bindings";
import type { BookingKind } from "../bindings";
import type { BookingRules } from "../bindings";
import type { BookingRow } from "../bindings";
import type { Class } from "../bindings";
import type { Cursor } from "../bindings";
import type { Facility } from "../bindings";
import type { Sort } from "../bindings";
import { h } from "../dom";
import { addDays, clockTime, counted, dateOrderFor, dateTime, dateTimeAt, dayLabel, startOfDayIn, statusLabel, todayIn, type DateOrder } from "../format";
import { renderDayField } from "../widgets/day-field";
import { hitName, renderMemberSearch } from "../widgets/member-search";

export const PAGE_SIZE = 50;
/** Cells longer than this may be cut on screen: they take the focus, to be read whole. */
const CLIP_CHARS = 24;

export interface FilterValues {
  from: string; // YYYY-MM-DD or ""
  to: string; // inclusive day
  kind: string; // "", "class", "recovery"
  status: string; // "" or one status
  item: string; // "", "facility:<id>", "class:<id>"
  memberId: string;
}

/**
 * The filter the shell takes, or an error for staff. `to` is inclusive: the query ends the day
 * after. Days are the branch's (`timeZone`), not this computer's.
 */
export function buildFilter(v: FilterValues, timeZone?: string): { filter: BookingFilter | null; error: string | null } {
  if (v.from && v.to && v.to < v.from) return { filter: null, error: "The end date is before the start date." };
  const [itemKind, itemId] = v.item ? v.item.split(":") : ["", ""];
  if (v.kind === "class" && itemKind === "facility")
    return { filter: null, error: "Classes have no facility: choose Recovery, or clear “Facility or class”." };
  if (v.kind === "recovery" && itemKind === "class")
    return { filter: null, error: "Recovery bookings have no class: choose Classes, or clear “Facility or class”." };
  return {
    error: null,
    filter: {
      branch_id: null,
      from: v.from ? startOfDayIn(v.from, timeZone) : null,
      to: v.to ? startOfDayIn(addDays(v.to, 1), timeZone) : null,
      kind: v.kind === "class" || v.kind === "recovery" ? (v.kind as BookingKind) : null,
      statuses: v.status ? [v.status] : [],
      facility_id: itemKind === "facility" ? itemId : null,
      class_id: itemKind === "class" ? itemId : null,
      member_id: v.memberId || null,
      booked_by_staff_id: null,
      overrides_only: false,
    },
  };
}

/** Keyset paging: the cursors that started each page seen so far, so "Previous" needs no offset. */
export interface Pager {
  starts: (Cursor | null)[];
  next: Cursor | null;
}

export const firstPage = (): Pager => ({ starts: [null], next: null });
export const currentCursor = (p: Pager): Cursor | null => p.starts[p.starts.length - 1];
export const pageNumber = (p: Pager): number => p.starts.length;
export function forward(p: Pager): Pager {
  return p.next ? { starts: [...p.starts, p.next], next: null } : p;
}
export function back(p: Pager): Pager {
  return p.starts.length > 1 ? { starts: p.starts.slice(0, -1), next: null } : p;
}

export type RowAction = "cancel" | "attended" | "no_show";

/** The status each row action makes, in the order the buttons show. */
const ACTION_STATUS: [RowAction, string][] = [
  ["attended", "attended"],
  ["no_show", "no_show"],
  ["cancel", "cancelled"],
];

/** What staff may do with a row: the status changes the database allows from its status
 * (`rules.changes`), those allowed only once the session has started (a no-show) only then. */
export function actionsFor(row: Pick<BookingRow, "status" | "starts_at">, rules: Pick<BookingRules, "changes">, now: number = Date.now()): RowAction[] {
  const started = Date.parse(row.starts_at) <= now;
  return ACTION_STATUS.filter(([, to]) =>
    rules.changes.some((c) => c.from_status === row.status && c.to_status === to && (started || !c.once_started)),
  ).map(([action]) => action);
}

export const ACTION_LABEL: Record<RowAction, string> = { cancel: "Cancel", attended: "Check in", no_show: "No-show" };
export const ACTION_QUESTION: Record<RowAction, string> = {
  cancel: "Cancel this booking?",
  attended: "Check this member in?",
  no_show: "Mark as no-show?",
};

/** The row's confirm question. Checking in more than an hour ahead says when the session is, so a
 * click on the wrong row (next week's booking) is caught before it is final. */
export function confirmQuestion(a: RowAction, row: Pick<BookingRow, "starts_at">, timeZone?: string, now: number = Date.now()): string {
  if (a === "attended" && Date.parse(row.starts_at) - now > 3600_000) {
    return `Check this member in now? The session is on ${dateTime(row.starts_at, timeZone)}.`;
  }
  return ACTION_QUESTION[a];
}

/** The filters as staff left them: kept while the desk is on another tab. */
export type FilterState = Omit<FilterValues, "memberId"> & { sort: string; member: { id: string; name: string } | null };

export interface BookingsOptions {
  api: Pick<Api, "listBookings" | "exportBookingsCsv" | "cancelBooking" | "setAttendance" | "searchMembers" | "weekSchedule" | "upcomingClasses"> & Partial<Pick<Api, "countBookings">>;
  /** Opened by keyboard (Ctrl+3): the first row's first action takes the focus once the rows are in. */
  focusRows?: boolean;
  /** The filters to start from (as they were left), and where to tell each change. */
  filters?: FilterState;
  onFilters?: (filters: FilterState) => void;
  onNewBooking: () => void;
  /** Statuses and the changes staff may make, as the database holds them. */
  rules: BookingRules;
  /** The desk's branch's zone: the filters' days and "today". */
  timeZone?: string;
  /** The branch's date order (default: from its time zone). */
  dateOrder?: DateOrder;
  /** Each branch's zone by id: a row's time is shown at its own branch (a head-office desk lists them all). */
  branchZones?: Record<string, string>;
  today?: string;
}

export interface BookingsScreen {
  refresh: () => Promise<void>;
  /** The first row's first action (else the status line) takes the focus. */
  focus: () => void;
}

export function renderBookings(main: HTMLElement, options: BookingsOptions): BookingsScreen {
  const today = options.today ?? todayIn(options.timeZone);
  // Days in the branch's order whatever the PC's locale; a blank day is no bound.
  const order = options.dateOrder ?? dateOrderFor(options.timeZone);
  const dayField = (id: string, label: string, value: string) => renderDayField({ id, label, order, today, value, allowEmpty: true, compact: true, onChange: () => void reload() });
  const kept = options.filters;
  const from = dayField("f-from", "From", kept ? kept.from : today);
  const to = dayField("f-to", "To", kept ? kept.to : addDays(today, 13));
  const kind = h("select", { id: "f-kind" }, h("option", { value: "" }, "Classes and recovery"), h("option", { value: "class" }, "Classes"), h("option", { value: "recovery" }, "Recovery"));
  const status = h("select", { id: "f-status" }, h("option", { value: "" }, "Any status"), ...options.rules.statuses.map((s) => h("option", { value: s.status }, statusLabel(s.status))));
  const item = h("select", { id: "f-item" }, h("option", { value: "" }, "Any facility or class"));
  const sort = h("select", { id: "f-sort" }, h("option", { value: "starts_asc" }, "Soonest first"), h("option", { value: "starts_desc" }, "Latest first"));
  if (kept) {
    kind.value = kept.kind;
    status.value = kept.status;
    sort.value = kept.sort;
  }
  const memberChip = h("span", { class: "chip hidden", "data-testid": "member-filter" });
  let member: { id: string; name: string } | null = null;
  const showMember = (m: { id: string; name: string } | null) => {
    member = m;
    memberChip.classList.toggle("hidden", !m);
    if (!m) return memberChip.replaceChildren();
    const clear = h("button", { type: "button", class: "link-button", "aria-label": "Clear the member filter" }, "×");
    clear.addEventListener("click", () => {
      showMember(null);
      void reload();
    });
    memberChip.replaceChildren(m.name, " ", clear);
  };
  const memberSearch = renderMemberSearch({
    api: options.api,
    id: "f-member",
    label: "Member",
    onChoose: (hit) => {
      showMember({ id: hit.member_id, name: hitName(hit) });
      memberSearch.input.value = "";
      memberSearch.input.dispatchEvent(new Event("input"));
      void reload();
    },
  });
  showMember(kept?.member ?? null);

  const apply = h("button", { type: "submit", class: "secondary" }, "Apply");
  const newBooking = h("button", { type: "button", class: "primary inline", "data-testid": "new-booking" }, "New Booking (Ctrl+N)");
  newBooking.addEventListener("click", options.onNewBooking);
  const exportButton = h("button", { type: "button", class: "secondary", "data-testid": "export-csv" }, "Export CSV");
  const status_ = h("p", { class: "form-status", role: "status", tabindex: "-1", "data-testid": "bookings-status" });
  const itemStatus = h("p", { class: "form-status is-error hidden", role: "alert", "data-testid": "item-filter-status" });
  const tbody = h("tbody", { "data-testid": "bookings-rows" });
  const prev = h("button", { type: "button", class: "secondary", "data-testid": "page-prev" }, "← Previous");
  const next = h("button", { type: "button", class: "secondary", "data-testid": "page-next" }, "Next →");
  const pageLabel = h("span", { class: "muted", "data-testid": "page-label" });
  let pager = firstPage();
  let asked = 0;

  const labelled = (control: HTMLElement, text: string, width = "") =>
    h("div", { class: `field ${width}`.trim() }, h("label", { for: control.id }, text), control);
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filters" },
    from.root,
    to.root,
    labelled(kind, "Type", "field-wide"),
    labelled(status, "Status"),
    labelled(item, "Facility or class", "field-wide"),
    labelled(sort, "Sort"),
    h("div", { class: "field member-field" }, memberSearch.root, memberChip),
    h("div", { class: "field field-action" }, apply),
  );

  // The item choices arrive after the first load: until then the kept one stands.
  let itemWanted = kept?.item ?? "";
  const itemValue = () => item.value || itemWanted;
  item.addEventListener("change", () => (itemWanted = item.value));
  const currentFilter = () =>
    buildFilter({ from: from.value(), to: to.value(), kind: kind.value, status: status.value, item: itemValue(), memberId: member?.id ?? "" }, options.timeZone);
  const filterState = (): FilterState => ({ from: from.value(), to: to.value(), kind: kind.value, status: status.value, item: itemValue(), sort: sort.value, member });
  let wantRowFocus = Boolean(options.focusRows);
  let counting = 0;
  let total: number | null = null;
  const drawPageLabel = (shown: number) => {
    const of = total === null ? "" : ` of ${counted(total, "booking")}`;
    pageLabel.textContent = shown || total ? `Page ${pageNumber(pager)}${total !== null ? ` of ${Math.max(1, Math.ceil(total / PAGE_SIZE))}` : ""} · ${shown} shown${of}` : "";
  };

  /**
   * Loads page `at` (the current one by default); false when it could not (the status line says
   * why). The pager moves to `at` only with its rows, so the label and Previous/Next always
   * belong to the rows shown.
   */
  const load = async (at: Pager = pager): Promise<boolean> => {
    const { filter, error } = currentFilter();
    status_.classList.remove("is-error");
    if (!filter) {
      // Rows of the last good filter would pass for this one's: the table empties, and so does
      // the total (a count still on its way is for the old filter).
      asked++;
      counting++;
      total = null;
      drawRows([]);
      pageLabel.textContent = "";
      prev.disabled = next.disabled = true;
      status_.textContent = error;
      status_.classList.add("is-error");
      return false;
    }
    const ticket = ++asked;
    options.onFilters?.(filterState());
    // Counted with the first page, and again when the page shown reloads (after a row action).
    if ((pageNumber(at) === 1 || at === pager) && options.api.countBookings) {
      // The total, beside the first page: the rows do not wait for it.
      const mine = ++counting;
      total = null;
      options.api.countBookings(filter).then(
        (n) => {
          if (mine !== counting) return;
          total = n;
          drawPageLabel(tbody.querySelectorAll("[data-testid=booking-row]").length);
        },
        () => undefined, // the rows' own load says what is wrong
      );
    }
    status_.textContent = "Loading bookings…";
    tbody.setAttribute("aria-busy", "true");
    prev.disabled = next.disabled = true;
    try {
      const page = await options.api.listBookings(filter, { after: currentCursor(at), limit: PAGE_SIZE, sort: sort.value as Sort });
      if (ticket !== asked) return true; // the newer load draws the rows
      pager = { ...at, next: page.next };
      drawRows(page.rows);
      status_.textContent = page.rows.length ? "" : "No bookings match these filters.";
      drawPageLabel(page.rows.length);
      if (wantRowFocus) {
        wantRowFocus = false;
        tbody.querySelector<HTMLButtonElement>(".row-actions button")?.focus();
      }
      return true;
    } catch (e) {
      if (ticket !== asked) return true;
      status_.textContent = errorText(e);
      status_.classList.add("is-error");
      return false;
    } finally {
      tbody.removeAttribute("aria-busy");
      prev.disabled = pageNumber(pager) <= 1;
      next.disabled = !pager.next;
    }
  };
  const reload = () => load(firstPage());

  // The rows' keys, one listener for them all: Esc on an open row confirm is "Keep"; ↑/↓ move to
  // the row above or below (its first action), ←/→ between a row's buttons.
  tbody.addEventListener("keydown", (e) => {
    const cell = (e.target as HTMLElement).closest(".row-actions");
    if (!cell) return;
    const keep = cell.querySelector<HTMLButtonElement>("[data-testid=confirm-no]");
    if (e.key === "Escape" && keep && !keep.disabled) {
      e.preventDefault();
      e.stopPropagation();
      keep.click();
      return;
    }
    const buttons = [...tbody.querySelectorAll<HTMLButtonElement>(".row-actions")].map((c) => [...c.querySelectorAll<HTMLButtonElement>("button")]).filter((bs) => bs.length);
    const r = buttons.findIndex((bs) => bs.includes(document.activeElement as HTMLButtonElement));
    if (r < 0) return;
    const c = buttons[r].indexOf(document.activeElement as HTMLButtonElement);
    const to = { ArrowDown: buttons[r + 1]?.[0], ArrowUp: buttons[r - 1]?.[0], ArrowRight: buttons[r][c + 1], ArrowLeft: buttons[r][c - 1] }[e.key];
    if (e.key.startsWith("Arrow")) {
      e.preventDefault();
      to?.focus();
    }
  });

  /** A cell kept to one line: long text is cut with "…", whole on hover and, focused, on screen. */
  const clipped = (full: string, ...children: (Node | string)[]) =>
    h("td", { class: "clip", title: full || undefined, tabindex: full.length > CLIP_CHARS ? "0" : undefined }, ...children);

  const drawRows = (rows: BookingRow[]) => {
    let lastDay = "";
    tbody.replaceChildren(
      ...rows.flatMap((row) => {
        // Each row at its own branch's time; a heading row where the day changes.
        const zone = options.branchZones?.[row.branch_id] ?? options.timeZone;
        const day = todayIn(zone, new Date(row.starts_at));
        const heading =
          day === lastDay ? [] : [h("tr", { class: "day-heading" }, h("th", { colspan: "8", scope: "colgroup" }, `${dayLabel(day)}${day === today ? " · today" : ""}`))];
        lastDay = day;
        const actions = h("td", { class: "row-actions" });
        const drawActions = () => {
          actions.replaceChildren(
            ...actionsFor(row, options.rules).map((a) => {
              const b = h("button", { type: "button", class: "secondary small", "data-action": a }, ACTION_LABEL[a]);
              b.addEventListener("click", () => confirm(a));
              return b;
            }),
          );
        };
        const confirm = (a: RowAction) => {
          // Only a cancel takes something away: it alone is red.
          const yes = h("button", { type: "button", class: `${a === "cancel" ? "danger" : "primary inline"} small`, "data-testid": "confirm-yes" }, `Yes, ${ACTION_LABEL[a].toLowerCase()}`);
          const no = h("button", { type: "button", class: "secondary small", "data-testid": "confirm-no" }, "Keep (Esc)");
          const note = h("span", { class: "row-error", role: "alert" });
          no.addEventListener("click", () => {
            drawActions();
            (actions.querySelector("button") as HTMLButtonElement | null)?.focus();
          });
          yes.addEventListener("click", async () => {
            yes.disabled = no.disabled = true;
            yes.textContent = "Working…";
            note.textContent = "";
            try {
              const k = row.kind as BookingKind;
              let said: string;
              if (a === "cancel") {
                const promoted = await options.api.cancelBooking(k, row.id);
                said = promoted ? "Cancelled; the first on the waitlist now has the place." : "Cancelled.";
              } else {
                await options.api.setAttendance(k, row.id, a);
                said = a === "attended" ? "Checked in." : "Marked as no-show.";
              }
              if (await load()) {
                status_.textContent = said; // after the reload, which clears the status line
              } else {
                // Done, but the list is stale: say so on the row, leave the reload error in the
                // status line, and offer no more actions on a row whose status is out of date.
                actions.replaceChildren(h("span", { class: "row-done", role: "status", "data-testid": "row-done" }, `${said} The list could not be refreshed.`));
              }
              status_.focus(); // the row's buttons are gone: keep focus on the page
            } catch (e) {
              note.textContent = errorText(e);
              yes.disabled = no.disabled = false;
              yes.textContent = `Yes, ${ACTION_LABEL[a].toLowerCase()}`;
            }
          });
          actions.replaceChildren(
            h("span", { class: "confirm-question" }, confirmQuestion(a, row, options.branchZones?.[row.branch_id] ?? options.timeZone)),
            h("span", { class: "confirm-buttons" }, yes, no),
            note,
          );
          yes.focus();
        };
        drawActions();
        const flags = [row.capacity_override ? "capacity" : "", row.allowance_override ? "allowance" : ""].filter(Boolean).join(", ");
        const away = zone && zone !== options.timeZone ? ` (${zone.slice(zone.lastIndexOf("/") + 1).replace(/_/g, " ")})` : "";
        const override = flags ? `Override (${flags})${row.override_reason ? `: ${row.override_reason}` : ""}` : "";
        return [
          ...heading,
          h(
            "tr",
            { "data-booking-id": row.id, "data-testid": "booking-row" },
            h("td", { class: "nowrap", title: dateTimeAt(row.starts_at, zone, options.timeZone) }, `${clockTime(row.starts_at, zone)}${away}`),
            h("td", {}, row.kind === "class" ? "Class" : "Recovery"),
            clipped(`${row.member_name} ${row.member_number}`, row.member_name, h("span", { class: "muted small" }, ` ${row.member_number}`)),
            clipped(row.item_name, row.item_name),
            h("td", {}, h("span", { class: `pill status-${row.status}` }, statusLabel(row.status))),
            clipped(row.booked_by_name ?? "Member", row.booked_by_name ?? "Member"),
            clipped(override, override),
            actions,
          ),
        ];
      }),
    );
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    // A day typed but not yet left counts; one that is not a date says so and loads nothing.
    if (from.commit() && to.commit()) void reload();
  });
  // Enter in a day field: that day, at once.
  form.addEventListener("day-committed", () => void reload());
  for (const control of [kind, status, item, sort]) control.addEventListener("change", () => void reload());
  prev.addEventListener("click", () => void load(back(pager)));
  next.addEventListener("click", () => void load(forward(pager)));
  exportButton.addEventListener("click", async () => {
    const { filter, error } = currentFilter();
    if (!filter) {
      status_.textContent = error;
      return;
    }
    exportButton.disabled = true;
    exportButton.textContent = "Exporting…";
    status_.classList.remove("is-error");
    try {
      const done = await options.api.exportBookingsCsv(filter);
      status_.textContent = `Exported ${counted(done.bookings, "booking")} to ${done.path}`;
    } catch (e) {
      status_.textContent = errorText(e);
      status_.classList.add("is-error");
    } finally {
      exportButton.disabled = false;
      exportButton.textContent = "Export CSV";
    }
  });

  main.replaceChildren(
    h(
      "section",
      { class: "panel wide" },
      h("div", { class: "toolbar" }, h("h2", {}, "All Bookings"), newBooking, exportButton),
      form,
      itemStatus,
      status_,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "table", "data-testid": "bookings-table" },
          h(
            "thead",
            {},
            h("tr", {}, ...["Starts", "Type", "Member", "Class or facility", "Status", "Booked by", "Override", "Actions"].map((t) => h("th", { scope: "col" }, t))),
          ),
          tbody,
        ),
      ),
      h("div", { class: "pager" }, prev, pageLabel, next),
    ),
  );

  // Filter choices: this branch's facilities and the next two weeks' classes. Without them the
  // list still works (any facility or class), so a failure is said beside the filters, not fatal.
  void Promise.allSettled([options.api.weekSchedule(today), options.api.upcomingClasses(today, 14)]).then(([schedule, classes]) => {
    const facilities: Facility[] = schedule.status === "fulfilled" ? schedule.value.facilities : [];
    const upcoming: Class[] = classes.status === "fulfilled" ? classes.value : [];
    item.append(
      ...facilities.map((f) => h("option", { value: `facility:${f.id}` }, f.name)),
      ...upcoming.map((c) => h("option", { value: `class:${c.id}` }, `${c.title}, ${dateTime(c.starts_at, options.timeZone)}`)),
    );
    if (itemWanted) {
      item.value = itemWanted;
      // A kept class that is no longer offered (it has gone by): the list drops it.
      if (item.value !== itemWanted) {
        itemWanted = "";
        void reload();
      }
    }
    const failed = [schedule, classes].find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      itemStatus.textContent = `Could not load the facility and class choices: ${errorText(failed.reason)} The bookings list works without them.`;
      itemStatus.classList.remove("hidden");
    }
  });

  void reload();
  return {
    refresh: async () => {
      await reload();
    },
    focus: () => (tbody.querySelector<HTMLButtonElement>(".row-actions button") ?? status_).focus(),
  };
}
