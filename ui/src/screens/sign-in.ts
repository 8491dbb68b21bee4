// Staff sign-in: email and PIN, the demo staff with their PINs on the demo database, and a quick
// switch between the desk's staff. Validation here only spares a round trip: the core checks the
// PIN again and locks out after repeated failures (its message is shown as returned).
import { ApiError } from "../api";
import type { DemoStaff } from "../bindings";
import type { StaffSummary } from "../bindings";
import { h } from "../dom";

export interface SignInInput {
  email: string;
  pin: string;
}

export type SignInErrors = Partial<Record<keyof SignInInput, string>>;

/** Field problems worth telling staff before asking the database; empty when none. */
export function validateSignIn(input: SignInInput): SignInErrors {
  const errors: SignInErrors = {};
  const email = input.email.trim();
  if (email === "") errors.email = "Enter your work email.";
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = "That does not look like an email address.";
  if (input.pin === "") errors.pin = "Enter your PIN.";
  else if (!/^\d{4,8}$/.test(input.pin)) errors.pin = "The PIN is 4 to 8 digits.";
  return errors;
}

export interface SignInOptions {
  /** Called with valid input; a rejection is shown under the form. */
  onSubmit: (input: SignInInput) => Promise<void>;
  /** Demo database only: who can sign in, with their PINs. */
  demoStaff?: DemoStaff[];
  /** Staff of this desk, for the quick switch; loaded after the form shows. */
  loadStaff?: () => Promise<StaffSummary[]>;
  /** Email to start with (e.g. from a quick switch). */
  email?: string;
  /** What was typed into the form this one replaces (drawn again when the database came back). */
  draft?: SignInDraft | null;
}

export interface SignInDraft {
  email: string;
  pin: string;
  /** The field that had the focus, so the next keystrokes land where they were going. */
  focused: "email" | "pin" | null;
}

/** What is typed into the sign-in form shown in `root`, if one is. */
export function signInDraft(root: ParentNode): SignInDraft | null {
  const email = root.querySelector<HTMLInputElement>("#sign-in-email");
  const pin = root.querySelector<HTMLInputElement>("#sign-in-pin");
  if (!email || !pin) return null;
  const active = document.activeElement;
  return { email: email.value, pin: pin.value, focused: active === email ? "email" : active === pin ? "pin" : null };
}

/** "manager" → "Manager", "front_desk" → "Front desk". */
export function roleLabel(role: string): string {
  const text = role.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Renders the sign-in form into `main` and focuses the email field. */
export function renderSignIn(main: HTMLElement, options: SignInOptions): HTMLFormElement {
  const email = h("input", {
    id: "sign-in-email",
    name: "email",
    type: "email",
    autocomplete: "username",
    required: true,
    "aria-describedby": "sign-in-email-error",
  });
  const pin = h("input", {
    id: "sign-in-pin",
    name: "pin",
    type: "password",
    inputmode: "numeric",
    autocomplete: "current-password",
    required: true,
    "aria-describedby": "sign-in-pin-error",
  });
  const emailError = h("p", { class: "field-error", id: "sign-in-email-error" });
  const pinError = h("p", { class: "field-error", id: "sign-in-pin-error" });
  const status = h("p", { class: "form-status", role: "status", "data-testid": "sign-in-status" });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");

  const form = h(
    "form",
    { class: "card sign-in", "aria-labelledby": "sign-in-heading", novalidate: true },
    h("h2", { id: "sign-in-heading" }, "Staff sign-in"),
    h("label", { for: "sign-in-email" }, "Email"),
    email,
    emailError,
    h("label", { for: "sign-in-pin" }, "PIN"),
    pin,
    pinError,
    submit,
    status,
  );

  // Another staff member: the last one's refusal (a wrong PIN, a lock-out) no longer applies.
  const clearStatus = () => {
    status.textContent = "";
    status.classList.remove("is-error");
  };
  const fillFrom = (staffEmail: string, staffPin?: string) => {
    email.value = staffEmail;
    pin.value = staffPin ?? "";
    clearStatus();
    pin.focus();
  };
  email.addEventListener("input", clearStatus);
  const extras: HTMLElement[] = [];
  if (options.demoStaff && options.demoStaff.length > 0) {
    extras.push(
      h(
        "section",
        { class: "card demo-staff", "aria-labelledby": "demo-staff-heading", "data-testid": "demo-staff" },
        h("h2", { id: "demo-staff-heading" }, "Demo staff"),
        h("p", { class: "muted" }, "On the demo database these PINs are public. Choose one to fill the form."),
        h(
          "table",
          { class: "table compact" },
          h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Role"), h("th", {}, "Email"), h("th", {}, "PIN"), h("th", {}, h("span", { class: "sr-only" }, "Fill the form")))),
          h(
            "tbody",
            {},
            ...options.demoStaff.map((s) => {
              const use = h("button", { type: "button", class: "secondary small", "data-email": s.email, "data-pin": s.pin }, "Use");
              use.addEventListener("click", () => fillFrom(s.email, s.pin));
              return h(
                "tr",
                { "data-testid": "demo-staff-row" },
                h("td", {}, s.full_name),
                h("td", {}, roleLabel(s.role)),
                h("td", { class: "demo-email" }, s.email),
                h("td", { class: "demo-pin" }, s.pin),
                h("td", {}, use),
              );
            }),
          ),
        ),
      ),
    );
  }
  if (options.loadStaff) {
    const select = h("select", { id: "quick-switch", "data-testid": "quick-switch" }, h("option", { value: "" }, "Loading staff…"));
    select.disabled = true;
    select.addEventListener("change", () => select.value && fillFrom(select.value));
    form.insertBefore(h("div", { class: "field" }, h("label", { for: "quick-switch" }, "Quick switch"), select), form.querySelector("label[for=sign-in-email]"));
    options
      .loadStaff()
      .then((staff) => {
        select.replaceChildren(
          h("option", { value: "" }, "Choose a staff member…"),
          ...staff.map((s) => h("option", { value: s.email }, `${s.full_name} — ${roleLabel(s.role)}`)),
        );
        select.disabled = false;
      })
      .catch(() => {
        select.replaceChildren(h("option", { value: "" }, "Staff list unavailable: type the email"));
      });
  }
  if (options.email) email.value = options.email;
  if (options.draft) {
    email.value = options.draft.email;
    pin.value = options.draft.pin;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = { email: email.value, pin: pin.value };
    const errors = validateSignIn(input);
    emailError.textContent = errors.email ?? "";
    pinError.textContent = errors.pin ?? "";
    email.toggleAttribute("aria-invalid", Boolean(errors.email));
    pin.toggleAttribute("aria-invalid", Boolean(errors.pin));
    status.textContent = "";
    status.classList.remove("is-error");
    if (errors.email) return email.focus();
    if (errors.pin) return pin.focus();

    submit.disabled = true;
    submit.textContent = "Signing in…";
    form.setAttribute("aria-busy", "true");
    try {
      await options.onSubmit({ email: input.email.trim(), pin: input.pin });
    } catch (raw) {
      status.textContent = raw instanceof ApiError ? raw.message : "Something went wrong. Please try again.";
      status.classList.add("is-error");
      // A refused PIN is cleared, so typing it again does not append to it.
      if (raw instanceof ApiError && raw.code === "not_allowed") {
        pin.value = "";
        pin.focus();
      }
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
      form.removeAttribute("aria-busy");
    }
  });

  main.replaceChildren(extras.length ? h("div", { class: "sign-in-layout" }, form, ...extras) : form);
  const focus = options.draft?.focused ?? (email.value ? "pin" : "email");
  (focus === "pin" ? pin : email).focus();
  return form;
}
