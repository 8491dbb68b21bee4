// The one module that talks to the Rust shell. Every screen calls `api.*`, never `invoke` itself,
// and every failure arrives as an `ApiError` with the shell's `{ code, message, field? }` shape.
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import type { Booking } from "./bindings/Booking";
import type { BookingFilter } from "./bindings/BookingFilter";
import type { BookingKind } from "./bindings/BookingKind";
import type { Class } from "./bindings/Class";
import type { ClubConnection } from "./bindings/ClubConnection";
import type { MemberHit } from "./bindings/MemberHit";
import type { MemberPanel } from "./bindings/MemberPanel";
import type { Page } from "./bindings/Page";
import type { PageRequest } from "./bindings/PageRequest";
import type { Schedule } from "./bindings/Schedule";
import type { StaffSession } from "./bindings/StaffSession";
import type { StaffSummary } from "./bindings/StaffSummary";
import type { Attendance } from "./bindings/Attendance";
import type { AppInfo } from "./bindings/AppInfo";
import type { BookingRequest } from "./bindings/BookingRequest";
import type { Connection } from "./bindings/Connection";
import type { ConnectionTest } from "./bindings/ConnectionTest";
import type { DatabaseMode } from "./bindings/DatabaseMode";
import type { Exported } from "./bindings/Exported";
import type { Saved } from "./bindings/Saved";

export type { AppInfo, Connection, DatabaseMode };

/** What the concierge drawer confirms: the shell fills in `staff_id` with the signed-in staff member. */
export type NewBooking = Omit<BookingRequest, "staff_id">;

/** An error from a command: `code` is stable for logic, `message` is written for staff. */
export class ApiError extends Error {
  readonly code: string;
  readonly field: string | null;

  constructor(code: string, message: string, field: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
  }
}

/** Turns whatever `invoke` rejected with into an `ApiError`. */
export function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  if (
    typeof raw === "object" &&
    raw !== null &&
    typeof (raw as { code?: unknown }).code === "string" &&
    typeof (raw as { message?: unknown }).message === "string"
  ) {
    const { code, message, field } = raw as { code: string; message: string; field?: unknown };
    return new ApiError(code, message, typeof field === "string" ? field : null);
  }
  // Tauri itself rejects with a plain string (unknown command, bad arguments); outside the
  // app window there is no IPC at all. Neither is the staff member's fault.
  const detail = raw instanceof Error ? raw.message : String(raw);
  console.error("command failed outside the { code, message } shape:", detail);
  return new ApiError("internal", "Something went wrong. Please try again.");
}

/** The words to show for any thrown value. */
export function errorText(raw: unknown): string {
  return raw instanceof ApiError ? raw.message : toApiError(raw).message;
}

export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

/** Builds the API over an `invoke` function; tests pass a fake one. */
export function createApi(invoke: Invoke) {
  async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await invoke<T>(command, args);
    } catch (raw) {
      throw toApiError(raw);
    }
  }

  return {
    appInfo: () => call<AppInfo>("app_info"),
    reconnect: () => call<AppInfo>("reconnect"),
    useDemoDatabase: () => call<AppInfo>("use_demo_database"),
    testClubConnection: (settings: ClubConnection, password: string) =>
      call<ConnectionTest>("test_club_connection", { settings, password }),
    saveClubConnection: (settings: ClubConnection, password: string) =>
      call<Saved>("save_club_connection", { settings, password }),
    providePassword: (password: string) => call<AppInfo>("provide_password", { password }),
    signIn: (email: string, pin: string) => call<StaffSession>("sign_in", { email, pin }),
    signOut: () => call<void>("sign_out"),
    listDeskStaff: () => call<StaffSummary[]>("list_desk_staff"),
    searchMembers: (query: string) => call<MemberHit[]>("search_members", { query }),
    memberPanel: (memberId: string) => call<MemberPanel>("get_member_panel", { memberId }),
    weekSchedule: (start: string) => call<Schedule>("week_schedule", { start }),
    upcomingClasses: (from: string, days: number) => call<Class[]>("upcoming_classes", { from, days }),
    createBooking: (booking: NewBooking) => call<Booking>("create_booking", { booking }),
    cancelBooking: (kind: BookingKind, bookingId: string) => call<string | null>("cancel_booking", { kind, bookingId }),
    setAttendance: (kind: BookingKind, bookingId: string, status: Attendance) =>
      call<void>("set_attendance", { kind, bookingId, status }),
    listBookings: (filter: BookingFilter, page: PageRequest) => call<Page>("list_bookings", { filter, page }),
    exportBookingsCsv: (filter: BookingFilter) => call<Exported>("export_bookings_csv", { filter }),
  };
}

export type Api = ReturnType<typeof createApi>;

export const api: Api = createApi(tauriInvoke);
