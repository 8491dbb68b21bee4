//! The generated club's fixed data: its branches, plans, facilities, email domains and the demo
//! staff with their PINs.

use super::names::PhoneStyle;

/// (code, name, IANA zone, phone style)
pub(super) const BRANCHES: [(&str, &str, &str, PhoneStyle); 3] = [
    ("LDN", "London Riverside", "Europe/London", PhoneStyle::Uk),
    (
        "NYC",
        "New York Midtown",
        "America/New_York",
        PhoneStyle::Us,
    ),
    ("SYD", "Sydney Harbour", "Australia/Sydney", PhoneStyle::Au),
];

/// A membership plan: sessions per period (`None` is unlimited) for recovery and for classes.
pub(super) struct PlanSeed {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) cancel_window_minutes: i32,
    pub(super) recovery: Option<i32>,
    pub(super) classes: Option<i32>,
    pub(super) period: &'static str,
}

pub(super) const PLANS: [PlanSeed; 4] = [
    PlanSeed {
        code: "ESSENTIAL",
        name: "Essential",
        cancel_window_minutes: 120,
        recovery: Some(2),
        classes: Some(8),
        period: "month",
    },
    PlanSeed {
        code: "PLUS",
        name: "Plus",
        cancel_window_minutes: 120,
        recovery: Some(4),
        classes: Some(12),
        period: "month",
    },
    PlanSeed {
        code: "RECOVERY",
        name: "Recovery Weekly",
        cancel_window_minutes: 60,
        recovery: Some(3),
        classes: Some(2),
        period: "week",
    },
    PlanSeed {
        code: "PREMIUM",
        name: "Premium Unlimited",
        cancel_window_minutes: 30,
        recovery: None,
        classes: None,
        period: "month",
    },
];

/// A branch's recovery facility; `settings: None` leaves the documented defaults to apply.
pub(super) struct FacilitySeed {
    pub(super) name: &'static str,
    pub(super) kind: &'static str,
    /// ISO weekdays it opens (1 = Monday).
    pub(super) days: &'static [i32],
    pub(super) under_maintenance: bool,
    pub(super) settings: Option<SettingsSeed>,
}

pub(super) struct SettingsSeed {
    pub(super) open: &'static str,
    pub(super) close: &'static str,
    pub(super) slot_minutes: i32,
    pub(super) capacity: i32,
}

/// Every branch gets the same four facilities.
pub(super) const FACILITIES: [FacilitySeed; 4] = [
    FacilitySeed {
        name: "Sauna",
        kind: "sauna",
        days: &[1, 2, 3, 4, 5, 6, 7],
        under_maintenance: false,
        settings: Some(SettingsSeed {
            open: "06:00",
            close: "22:00",
            slot_minutes: 45,
            capacity: 8,
        }),
    },
    FacilitySeed {
        name: "Cold Plunge",
        kind: "cold_plunge",
        days: &[1, 2, 3, 4, 5, 6],
        under_maintenance: false,
        settings: Some(SettingsSeed {
            open: "07:00",
            close: "21:00",
            slot_minutes: 15,
            capacity: 2,
        }),
    },
    FacilitySeed {
        name: "Steam Room",
        kind: "steam_room",
        days: &[1, 2, 3, 4, 5, 6, 7],
        under_maintenance: true,
        settings: Some(SettingsSeed {
            open: "08:00",
            close: "20:00",
            slot_minutes: 30,
            capacity: 6,
        }),
    },
    // No settings: the documented defaults apply (06:00-22:00, 30 minutes, capacity 4).
    FacilitySeed {
        name: "Infrared Sauna",
        kind: "infrared_sauna",
        days: &[1, 3, 5, 6, 7],
        under_maintenance: false,
        settings: None,
    },
];

pub(super) const EMAIL_DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "example.net",
    "inbox.example.co.uk",
    "post.example.com.au",
];

/// Demo staff: (email prefix, name, role, branch or head office, PIN). Shown on the sign-in
/// screen of the demo database.
pub(super) const STAFF: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "maya.manager.ldn",
        "Maya Okafor",
        "manager",
        Some("LDN"),
        "2468",
    ),
    (
        "frank.desk.ldn",
        "Frank Ellis",
        "front_desk",
        Some("LDN"),
        "1357",
    ),
    (
        "ruth.desk.ldn",
        "Ruth Ahmed",
        "front_desk",
        Some("LDN"),
        "8642",
    ),
    (
        "nina.manager.nyc",
        "Nina Alvarez",
        "manager",
        Some("NYC"),
        "2468",
    ),
    (
        "ben.desk.nyc",
        "Ben Carter",
        "front_desk",
        Some("NYC"),
        "1357",
    ),
    (
        "sam.manager.syd",
        "Sam Walker",
        "manager",
        Some("SYD"),
        "2468",
    ),
    (
        "lily.desk.syd",
        "Lily Tran",
        "front_desk",
        Some("SYD"),
        "1357",
    ),
    ("hq.manager", "Helen Quinn", "manager", None, "9753"),
];

pub const STAFF_EMAIL_DOMAIN: &str = "branchdesk.example";

/// The demo staff who may sign in at a desk of `branch_code` (its own and head office), for the
/// demo database's sign-in screen: (full name, email, role, PIN).
pub fn demo_staff(branch_code: &str) -> Vec<(String, String, String, String)> {
    STAFF
        .iter()
        .filter(|s| s.3.is_none() || s.3 == Some(branch_code))
        .map(|(prefix, name, role, _, pin)| {
            (
                (*name).to_owned(),
                format!("{prefix}@{STAFF_EMAIL_DOMAIN}"),
                (*role).to_owned(),
                (*pin).to_owned(),
            )
        })
        .collect()
}
