// Staff sign-in: email and PIN. The form is a skeleton until the core provides staff accounts;
// validation here only spares a round trip, the core checks the PIN again (and locks out).
import { ApiError } from "../api";
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
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
      form.removeAttribute("aria-busy");
    }
  });

  main.replaceChildren(form);
  email.focus();
  return form;
}
