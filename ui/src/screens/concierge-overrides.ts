// The drawer's overrides: "Override capacity" and "Override plan allowance" (ticked only by staff
// who may override; a reason is then required, up to the database's limit, counted near it).
import { h } from "../dom";

export interface Overrides {
  root: HTMLElement;
  capacity: () => boolean;
  allowance: () => boolean;
  reason: () => string;
  /** After a booking: nothing ticked, no reason. */
  reset: () => void;
  focusReason: () => void;
  /** Nothing ticked or typed (a click beside the drawer may close it). */
  untouched: () => boolean;
}

export function renderOverrides(canOverride: boolean, maxReason: number, onChange: () => void): Overrides {
  const capacity = h("input", { type: "checkbox", id: "drawer-override", "data-testid": "override-capacity", disabled: !canOverride });
  const allowance = h("input", { type: "checkbox", id: "drawer-override-allowance", disabled: !canOverride });
  const reason = h("input", { type: "text", id: "drawer-reason", maxlength: String(maxReason), "data-testid": "override-reason", "aria-describedby": "drawer-reason-count" });
  const count = h("span", { class: "muted small", id: "drawer-reason-count" }, `Up to ${maxReason} characters.`);
  const reasonField = h("div", { class: "field hidden" }, h("label", { for: "drawer-reason" }, "Reason for the override (required)"), reason, count);
  const managersOnly = () => (canOverride ? null : h("span", { class: "muted small" }, " (managers only)"));
  const sync = () => reasonField.classList.toggle("hidden", !(capacity.checked || allowance.checked));
  for (const box of [capacity, allowance]) {
    box.addEventListener("change", () => {
      sync();
      if (box.checked) reason.focus();
      onChange();
    });
  }
  reason.addEventListener("input", () => {
    count.textContent = reason.value.length >= maxReason - 50 ? `${reason.value.length} of ${maxReason} characters.` : `Up to ${maxReason} characters.`;
    onChange();
  });
  const root = h(
    "div",
    { class: "overrides" },
    h("div", { class: "check" }, capacity, h("label", { for: capacity.id }, "Override capacity", managersOnly())),
    h("div", { class: "check" }, allowance, h("label", { for: allowance.id }, "Override plan allowance", managersOnly())),
    reasonField,
  );
  return {
    root,
    capacity: () => capacity.checked,
    allowance: () => allowance.checked,
    reason: () => reason.value,
    reset: () => {
      capacity.checked = allowance.checked = false;
      reason.value = "";
      sync();
    },
    focusReason: () => reason.focus(),
    untouched: () => !capacity.checked && !allowance.checked && !reason.value.trim(),
  };
}
