// A concierge confirm: what stops it (in staff words), the request it sends, its idempotency key
// (the same request again reuses it, so a retry never doubles), and what a refusal says to do next.
import { ApiError, errorText, type NewBooking } from "../api";
import type { BookingRules } from "../bindings";
import type { Choice } from "./concierge-choices";

export interface ConfirmState {
  member: { id: string; name: string } | null;
  choice: Choice | null;
  overrideCapacity: boolean;
  overrideAllowance: boolean;
  reason: string;
  joinWaitlist: boolean;
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


/**
 * A refusal in staff words with what to do next: the database's words, then the way on (another
 * time, the waitlist, a manager's override, or where the existing booking is).
 */
export function refusalText(err: unknown, choice: Pick<Choice, "kind" | "what"> | null, canOverride: boolean, memberName: string): string {
  const said = errorText(err).replace(/\.$/, "");
  if (!(err instanceof ApiError)) return `${said}.`;
  const manager = canOverride ? "tick “Override capacity” and give a reason" : "ask a manager to override";
  switch (err.code) {
    case "full":
      return choice?.kind === "class"
        ? `${said}. Tick “Join waitlist” and confirm to put ${memberName} on the waitlist, or choose another class.`
        : `${said}. Choose another time (↑/↓, or type it) or facility (←/→), or ${manager}.`;
    case "allowance_used":
      return `${said}. ${canOverride ? "Tick “Override plan allowance” and give a reason" : "A manager can override the plan allowance"}, or book on a day in the next period.`;
    case "already_booked":
      return `${said}: ${memberName} already has ${choice ? choice.what : "this booking"} (see the member panel's upcoming bookings). Choose another time to book another.`;
    case "conflict":
      return `${said}. Nothing was booked: confirm again.`;
    default:
      return `${said}.`;
  }
}
