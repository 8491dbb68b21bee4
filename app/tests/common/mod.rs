//! Set-up shared by the shell's tests: a desk state in a temporary folder, and a generated club
//! with a branch desk role, reached the way a desk reaches it.

use branch_desk_app::secrets::Secrets;
use branch_desk_app::state::{DeskState, Paths};
use branch_desk_core::bookings::{BookingKind, BookingRequest};
use branch_desk_core::db::create_desk_role;
use branch_desk_core::desk::{ClubConnection, TlsMode};
use branch_desk_core::generator::{generate_club, ClubSpec, GeneratedClub};
use sqlx::PgPool;

/// A desk whose settings and demo database live in `dir`, with no OS keyring.
pub fn state(dir: &std::path::Path) -> DeskState {
    DeskState::new(
        Paths {
            config_file: dir.join("config/desk.toml"),
            demo_data_dir: dir.join("data/demo-db"),
            export_dir: Some(dir.join("exports")),
        },
        Secrets::new(true),
    )
}

/// The password the tests' desk roles log in with (a pooler checks it even where the test
/// cluster trusts loopback).
pub const DESK_PASSWORD: &str = "pw";

/// Generates a club and a desk role for London; returns the club and the desk's settings for the
/// test database: the administrator's host, and its port or, with `BRANCHDESK_TEST_DESK_PORT`
/// set (scripts/test.sh), PgBouncer's in front of it, so the desk's commands go through the
/// pooler.
pub async fn club_with_desk(
    admin: &PgPool,
    seed: u64,
    members: u32,
    role: &str,
) -> (GeneratedClub, ClubConnection) {
    let club = generate_club(admin, &ClubSpec { seed, members })
        .await
        .unwrap();
    create_desk_role(
        admin,
        role,
        Some(DESK_PASSWORD),
        Some(club.branch("LDN").id),
    )
    .await
    .unwrap();
    let o = admin.connect_options();
    let settings = ClubConnection {
        host: o.get_host().into(),
        port: desk_port().unwrap_or(o.get_port()),
        database: o.get_database().unwrap().into(),
        desk_role: role.into(),
        tls: TlsMode::Disable,
        ca_file: None,
        branch_id: None,
        max_connections: None,
        idle_release_seconds: None,
    };
    (club, settings)
}

/// A plain booking as the drawer confirms it, with a new idempotency key (the shell fills in the
/// signed-in staff member).
pub fn booking(kind: BookingKind, target_id: uuid::Uuid, member_id: uuid::Uuid) -> BookingRequest {
    BookingRequest {
        kind,
        target_id,
        member_id,
        idempotency_key: uuid::Uuid::new_v4(),
        staff_id: None,
        override_capacity: false,
        override_allowance: false,
        override_reason: None,
        join_waitlist: false,
    }
}

/// PgBouncer's port when the tests run through it (`BRANCHDESK_TEST_DESK_PORT`).
pub fn desk_port() -> Option<u16> {
    let port = std::env::var("BRANCHDESK_TEST_DESK_PORT").ok()?;
    Some(
        port.parse()
            .expect("BRANCHDESK_TEST_DESK_PORT is a port number"),
    )
}
