// A side drawer over the page: a backdrop, the page behind made inert (Tab stays in the drawer),
// Esc and the close button close it, and focus goes back to where it was when it opened.
import { h } from "../dom";

export interface DrawerOptions {
  title: string;
  testId: string;
  body: HTMLElement;
  /** A click beside the drawer closes it only while this says nothing was entered. */
  closesOnBackdrop: () => boolean;
  onClose: () => void;
}

export function openDrawer(host: HTMLElement, options: DrawerOptions): { root: HTMLElement; close: () => void } {
  const previouslyFocused = document.activeElement as HTMLElement | null;
  const closeButton = h("button", { type: "button", class: "link-button drawer-close", "aria-label": "Close the drawer (Esc)" }, "Close ✕");
  const root = h(
    "div",
    { class: "drawer", role: "dialog", "aria-modal": "true", "aria-labelledby": "drawer-heading", "data-testid": options.testId },
    h("div", { class: "drawer-head" }, h("h2", { id: "drawer-heading" }, options.title), closeButton),
    options.body,
  );
  const backdrop = h("div", { class: "backdrop" });
  const behind = [...host.children].filter((el) => !el.hasAttribute("inert"));
  const close = () => {
    backdrop.remove();
    root.remove();
    for (const el of behind) el.removeAttribute("inert");
    // Back where staff were, if it is still there (onClose may choose a place otherwise).
    if (previouslyFocused?.isConnected) previouslyFocused.focus?.();
    options.onClose();
  };
  closeButton.addEventListener("click", close);
  backdrop.addEventListener("click", () => options.closesOnBackdrop() && close());
  root.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  for (const el of behind) el.setAttribute("inert", "");
  host.append(backdrop, root);
  return { root, close };
}
