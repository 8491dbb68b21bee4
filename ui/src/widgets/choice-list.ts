// The drawer's list of bookable slots or classes, built for the keyboard: one column per
// facility (a listbox of groups, so one Tab stop), arrows move (←/→ between facilities at the
// same time of day), typing a time ("18", "18:30", "9") jumps to it in the facility, Enter
// confirms. Letters are left to the drawer (T: today). The selection is the highlighted option; it stays in view
// and survives a reload (same slot, else the same facility and time). Keys typed while the list
// loads are applied once it arrives.
import { h } from "../dom";

export interface ListChoice {
  id: string;
  /** Column: the facility's name, or "Classes". */
  group: string;
  /** Local start "HH:MM", what a typed time matches. */
  time: string;
  /** The whole label, read by screen readers and shown in messages ("Sauna · 18:00–18:45"). */
  label: string;
  /** What the option shows under its group's heading ("18:00–18:45"). */
  short: string;
  /** "2 places left" / "Full: 4 of 4 booked". */
  places: string;
  full: boolean;
}

/** A position to come back to when the same slot is not on the list any more. */
interface Spot {
  id: string;
  group: string;
  time: string;
}

const TYPE_AHEAD_MS = 1_000;
const PAGE = 8;

/** The choices in columns: groups in name order, each by time as given. */
export function columnsOf<C extends ListChoice>(choices: C[]): { group: string; choices: C[] }[] {
  const groups = new Map<string, C[]>();
  for (const c of choices) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, list]) => ({ group, choices: list }));
}

/**
 * The choice a typed time means in a column: the first whose start, as "HHMM" or "HMM", begins
 * with the digits typed ("18" → 18:00, "183" → 18:30, "9" → 09:00); failing that, the first at
 * or after that time; failing that, the last.
 */
export function choiceAtTime<C extends Pick<ListChoice, "time">>(column: C[], digits: string): C | undefined {
  if (!digits || !column.length) return undefined;
  const hhmm = (c: C) => c.time.replace(":", "");
  const prefix = column.find((c) => hhmm(c).startsWith(digits) || hhmm(c).replace(/^0/, "").startsWith(digits));
  if (prefix) return prefix;
  const wanted = digits.length <= 2 ? digits.padStart(2, "0") + "00" : digits.padStart(4, "0").padEnd(4, "0");
  return column.find((c) => hhmm(c) >= wanted) ?? column[column.length - 1];
}

/** The choice in `column` nearest in time to `time` (for ←/→ and a reload). */
export function nearestInTime<C extends Pick<ListChoice, "time">>(column: C[], time: string): C | undefined {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  let best: C | undefined;
  for (const c of column) if (!best || Math.abs(minutes(c.time) - minutes(time)) < Math.abs(minutes(best.time) - minutes(time))) best = c;
  return best;
}

export interface ChoiceListOptions<C extends ListChoice> {
  id: string;
  label: string;
  /** The selection changed (by key or click); null when the list emptied. */
  onSelect: (choice: C | null) => void;
  /** Enter on the list. */
  onSubmit: () => void;
}

export interface ChoiceList<C extends ListChoice> {
  root: HTMLElement;
  /** Shows new choices; keeps the selection on the same slot, else the same facility and time. */
  show: (choices: C[]) => void;
  /** Empties the list while a new one loads (the selection is kept for when it arrives). */
  clear: () => void;
  selected: () => C | null;
  focus: () => void;
  /** The slot to select when it arrives (e.g. the one clicked on the schedule). */
  prefer: (spot: { id: string; group: string; time: string }) => void;
}

export function renderChoiceList<C extends ListChoice>(options: ChoiceListOptions<C>): ChoiceList<C> {
  const root = h("div", { id: options.id, class: "choice-columns", role: "listbox", tabindex: "0", "aria-label": options.label, "data-testid": "drawer-choices" });
  let columns: { group: string; choices: C[] }[] = [];
  let selected: C | null = null;
  let spot: Spot | null = null;
  let typed = "";
  let typedAt = 0;
  // A time typed before the list arrived: applied by show().
  let pending = "";

  const optionId = (c: C) => `${options.id}-${c.id}`;
  const select = (c: C | null, announce = true) => {
    selected = c;
    if (c) spot = { id: c.id, group: c.group, time: c.time };
    for (const el of root.querySelectorAll("[role=option]")) el.setAttribute("aria-selected", String(el.id === (c && optionId(c))));
    if (c) {
      root.setAttribute("aria-activedescendant", optionId(c));
      document.getElementById(optionId(c))?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
    } else root.removeAttribute("aria-activedescendant");
    if (announce) options.onSelect(c);
  };

  const draw = () => {
    root.replaceChildren(
      ...columns.map((col, i) =>
        h(
          "div",
          { class: "choice-column", role: "group", "aria-labelledby": `${options.id}-g${i}` },
          h("div", { class: "choice-group", id: `${options.id}-g${i}` }, col.group),
          ...col.choices.map((c) => {
            const el = h(
              "div",
              { id: optionId(c), role: "option", "aria-selected": "false", class: `choice${c.full ? " full" : ""}`, "data-testid": "drawer-choice", "data-full": c.full ? "true" : "false" },
              // Read: the whole label ("Sauna · 18:00–18:45"); seen: the time under its facility.
              h("span", { class: "choice-label sr-only" }, c.label),
              h("span", { class: "choice-short", "aria-hidden": "true" }, c.short),
              h("span", { class: "choice-places" }, c.places),
            );
            el.addEventListener("mousedown", (e) => {
              e.preventDefault();
              root.focus(); // may commit a day typed in the day field, which empties the list
              if (columns.some((col) => col.choices.includes(c))) select(c);
            });
            return el;
          }),
        ),
      ),
    );
  };

  const at = (c: C | null) => {
    const col = columns.findIndex((x) => x.group === c?.group);
    return { col, row: col >= 0 ? columns[col].choices.findIndex((x) => x.id === c?.id) : -1 };
  };
  /** The typed time in the selected facility's column (the one last selected while a list loads; else the first). */
  const jump = (digits: string): C | undefined => {
    const column = columns.find((x) => x.group === (selected ?? spot)?.group) ?? columns[0];
    return choiceAtTime(column?.choices ?? [], digits);
  };

  root.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const { col, row } = at(selected);
    const column = columns[col]?.choices ?? [];
    const move = (c: C | undefined) => {
      e.preventDefault();
      if (c) select(c);
    };
    if (!/^[\d:.]$/.test(e.key)) typed = ""; // any other key ends a typed time
    switch (e.key) {
      case "ArrowDown":
        return move(selected ? column[Math.min(column.length - 1, row + 1)] : columns[0]?.choices[0]);
      case "ArrowUp":
        return move(selected ? column[Math.max(0, row - 1)] : columns[0]?.choices[0]);
      case "PageDown":
        return move(column[Math.min(column.length - 1, row + PAGE)]);
      case "PageUp":
        return move(column[Math.max(0, row - PAGE)]);
      case "Home":
        return move(column[0]);
      case "End":
        return move(column[column.length - 1]);
      case "ArrowRight":
      case "ArrowLeft": {
        // With nothing selected yet, the first column counts as the one staff are in.
        const next = columns[Math.max(0, col) + (e.key === "ArrowRight" ? 1 : -1)] ?? (col < 0 ? columns[0] : undefined);
        return move(next && (selected ? nearestInTime(next.choices, selected.time) : next.choices[0]));
      }
      case "Enter":
        e.preventDefault();
        return options.onSubmit();
    }
    if (e.key === ":" || e.key === ".") return e.preventDefault(); // "18:30" is typed as 1830
    if (!/^\d$/.test(e.key)) return;
    e.preventDefault();
    if (e.timeStamp - typedAt > TYPE_AHEAD_MS || typed.length >= 4) typed = "";
    typedAt = e.timeStamp;
    typed += e.key;
    if (!columns.length) {
      pending = typed; // still loading
      return;
    }
    const c = jump(typed);
    if (c) select(c);
  });

  return {
    root,
    show: (choices) => {
      columns = columnsOf(choices);
      draw();
      const all = columns.flatMap((x) => x.choices);
      let next: C | undefined = spot ? all.find((c) => c.id === spot!.id) : undefined;
      if (!next && spot) {
        const column = columns.find((x) => x.group === spot!.group);
        next = column && nearestInTime(column.choices, spot.time);
      }
      if (pending) {
        next = jump(pending) ?? next;
        pending = "";
      }
      select(next ?? null);
    },
    clear: () => {
      columns = [];
      root.replaceChildren();
      select(null, false);
      selected = null;
    },
    selected: () => selected,
    focus: () => root.focus(),
    prefer: (want) => {
      spot = want;
    },
  };
}
