// Shared test data: an AppInfo and staff as the shell would send them. The booking rules are the
// database's, as a desk reads them (written by core/tests/booking_rules_data.rs).
import type { AppInfo } from "./api";
import type { StaffSession } from "./bindings";
import RULES from "./fixtures/booking-rules.json";

export const manager: StaffSession = { id: "s1", full_name: "Maria Manager", email: "maria@demo.example", role: "manager", branch_id: "b1", can_override: true };
export const frontDesk: StaffSession = { ...manager, id: "s2", full_name: "Finn Desk", role: "front_desk", can_override: false };

export function appInfo(over: Partial<AppInfo> = {}): AppInfo {
  return {
    name: "Branch Desk",
    version: "0.1.0",
    mode: "demo",
    connection: { state: "ready" },
    branch: { id: "b1", code: "CTR", name: "Central", timezone: "Europe/London", date_order: null },
    branches: [],
    desk_role: "desk_demo",
    club: null,
    schema_version: 20261127000900,
    first_run: false,
    staff: null,
    rules: RULES,
    demo_staff: [],
    ...over,
  };
}
