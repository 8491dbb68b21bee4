// A day, as a branch writes it: "Wed 02/12/2026" in the branch's order (never the PC's locale),
// with ◀ ▶ and Today beside it and "Tomorrow" or "in 3 days" after it. Typed dates take the
// branch's order (or ISO); ↑/↓ in the field step a day, PageUp/PageDown a week.
import { h } from "../dom";
import { addDays, datePattern, dayFieldText, parseDate, relativeDay, type DateOrder } from "../format";

export interface DayFieldOptions {
  id: string;
  label: string;
  order: DateOrder;
  today: string;
  value: string;
  /** A new day was chosen (by typing, a button or a key). */
  onChange: (day: string) => void;
  /** A blank field means "any day" (value ""), as in a filter. */
  allowEmpty?: boolean;
  /** Without Today and the "Tomorrow" note, to fit a row of filters. */
  compact?: boolean;
}

export interface DayField {
  root: HTMLElement;
  input: HTMLInputElement;
  value: () => string;
  /** Moves by `days` (negative: back) and reports the change. */
  step: (days: number) => void;
  /** Sets the day and reports the change. */
  set: (day: string) => void;
  /** Reads what is typed (as leaving the field would); false, with the problem shown, when it is not a date. */
  commit: () => boolean;
}

export function renderDayField(options: DayFieldOptions): DayField {
  let day = options.value;
  const input = h("input", { type: "text", id: options.id, class: "day-input", autocomplete: "off", spellcheck: "false", "aria-describedby": `${options.id}-hint` });
  const relative = h("span", { class: "day-relative", id: `${options.id}-hint`, "aria-live": "polite" });
  const problem = h("p", { class: "form-status is-error hidden", role: "alert", id: `${options.id}-problem` });
  const prev = h("button", { type: "button", class: "day-step", "aria-label": "Previous day (−)", title: "Previous day (−)" }, "◀");
  const next = h("button", { type: "button", class: "day-step", "aria-label": "Next day (+)", title: "Next day (+)" }, "▶");
  const today = h("button", { type: "button", class: "day-step", title: "Today (T)" }, "Today");

  const draw = () => {
    input.value = day ? dayFieldText(day, options.order) : "";
    relative.textContent = day ? relativeDay(day, options.today) : "Any day";
    problem.classList.add("hidden");
    problem.textContent = "";
    input.removeAttribute("aria-invalid");
  };
  const set = (d: string) => {
    day = d;
    draw();
    options.onChange(day);
  };
  const commit = () => {
    const typed = options.allowEmpty && !input.value.trim() ? "" : parseDate(input.value, options.order, options.today);
    if (typed === null) {
      problem.textContent = `“${input.value.trim()}” is not a date: type it as ${datePattern(options.order)}, e.g. ${dayFieldText(options.today, options.order).slice(4)}.`;
      problem.classList.remove("hidden");
      input.setAttribute("aria-invalid", "true");
      return false;
    }
    if (typed !== day) set(typed);
    else draw();
    return true;
  };
  input.addEventListener("change", () => void commit());
  input.addEventListener("keydown", (e) => {
    const by = { ArrowUp: 1, ArrowDown: -1, PageUp: 7, PageDown: -7 }[e.key];
    if (by !== undefined) {
      e.preventDefault();
      set(addDays(day || options.today, by));
    } else if (e.key === "Enter") {
      e.preventDefault();
      e.stopPropagation();
      if (commit()) input.dispatchEvent(new CustomEvent("day-committed", { bubbles: true }));
    }
  });
  prev.addEventListener("click", () => set(addDays(day || options.today, -1)));
  next.addEventListener("click", () => set(addDays(day || options.today, 1)));
  today.addEventListener("click", () => set(options.today));
  draw();
  const root = h(
    "div",
    { class: "field day-field" },
    h("label", { for: options.id }, options.label),
    h("div", { class: "day-row" }, prev, input, next, options.compact ? null : today, options.compact ? null : relative),
    problem,
  );
  return { root, input, value: () => day, step: (n) => set(addDays(day || options.today, n)), set, commit };
}
