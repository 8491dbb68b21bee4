//! The shell's commands against a real PostgreSQL club database (and the embedded demo one),
//! called the way the UI calls them, including the `{ code, message }` error shapes.

mod common;

use branch_desk_app::commands::{app, bookings, members, schedule, setup, staff};
use branch_desk_app::state::Connection;
use branch_desk_app::Error;
use branch_desk_core::bookings::{Attendance, BookingFilter, BookingKind, PageRequest, Sort};
use branch_desk_core::desk::ClubConnection;
use common::{booking, club_with_desk, state};
use serde_json::Value;
use sqlx::PgPool;

fn code(e: Error) -> String {
    let json: Value = serde_json::to_value(&e).unwrap();
    assert!(
        json["message"].as_str().is_some_and(|m| !m.is_empty()),
        "every error has a message: {json}"
    );
    json["code"].as_str().unwrap().to_owned()
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn every_command_on_a_club_database(admin: PgPool) {
    let (club, mut settings) = club_with_desk(&admin, 21, 300, "test_shell_desk_ldn").await;
    let ldn = club.branch("LDN");
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());

    assert_eq!(
        code(members::search(&s, "smith").await.unwrap_err()),
        "not_allowed",
        "nothing works before sign-in"
    );
    assert!(app::info(&s).await.first_run, "no settings saved yet");

    let bad = ClubConnection {
        desk_role: "postgres".into(),
        ..settings.clone()
    };
    assert_eq!(
        code(setup::test(&bad, "x").await.unwrap_err()),
        "not_allowed",
        "an administrator role is refused"
    );
    assert!(setup::save_club(&s, &bad, "x").await.is_err());
    assert!(
        !dir.path().join("config/desk.toml").exists(),
        "nothing is saved when the test fails"
    );
    let tested = setup::test(&settings, "pw").await.unwrap();
    assert_eq!(tested.branches.len(), 1);
    let saved = setup::save_club(&s, &settings, "pw").await.unwrap();
    assert_eq!(serde_json::to_value(&saved.info).unwrap()["mode"], "club");
    assert_eq!(saved.info.connection, Connection::Ready);
    assert_eq!(saved.info.branch.as_ref().unwrap().code, "LDN");
    let rules = saved
        .info
        .rules
        .as_ref()
        .expect("the open desk sends the booking rules");
    assert_eq!(rules.override_reason_max, 500);
    assert_eq!(rules.statuses.len(), 5);
    assert!(
        saved.info.demo_staff.is_empty(),
        "PINs are shown only on the demo database"
    );
    let file = std::fs::read_to_string(dir.path().join("config/desk.toml")).unwrap();
    assert!(
        !file.contains("pw"),
        "the password is not written to the settings file"
    );

    assert_eq!(
        code(
            staff::sign_in_as(&s, "frank.desk.ldn@branchdesk.example", "9999")
                .await
                .unwrap_err()
        ),
        "not_allowed"
    );
    assert_eq!(
        code(
            staff::sign_in_as(&s, "frank.desk.ldn@branchdesk.example", "12")
                .await
                .unwrap_err()
        ),
        "invalid"
    );
    let me = staff::sign_in_as(&s, "maya.manager.ldn@branchdesk.example", "2468")
        .await
        .unwrap();
    assert!(me.can_override);
    assert_eq!(app::info(&s).await.staff.unwrap().id, me.id);
    assert!(staff::list(&s)
        .await
        .unwrap()
        .iter()
        .any(|x| x.full_name == "Frank Ellis"));

    let hits = members::search(&s, "M000001").await.unwrap();
    assert_eq!(hits[0].member_number, "M000001");
    assert_eq!(
        code(members::search(&s, &"x".repeat(5000)).await.unwrap_err()),
        "invalid"
    );
    let member = hits[0].member_id;
    sqlx::query("update members set status = 'active', plan_id = $2 where id = $1")
        .bind(member)
        .bind(club.plan("PREMIUM"))
        .execute(&admin)
        .await
        .unwrap();
    let panel = members::panel(&s, member).await.unwrap();
    assert_eq!(panel.member.member_number, "M000001");
    assert_eq!(
        code(members::panel(&s, uuid::Uuid::new_v4()).await.unwrap_err()),
        "not_found"
    );

    let today = chrono::Utc::now().date_naive();
    let week = schedule::week(&s, today + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(week.inserted > 0 && !week.slots.is_empty());
    assert!(
        week.facilities.iter().any(|f| f.under_maintenance),
        "maintenance is shown as such"
    );
    sqlx::query("insert into classes (branch_id, title, starts_at, ends_at, capacity) values ($1, 'Shell yoga', now() + interval '2 days', now() + interval '2 days 1 hour', 1)")
        .bind(ldn.id)
        .execute(&admin)
        .await
        .unwrap();
    let classes = schedule::classes(&s, today, 7).await.unwrap();
    let class = classes
        .iter()
        .find(|c| c.title == "Shell yoga")
        .expect("the class is listed");

    let slot = week
        .slots
        .iter()
        .find(|x| x.starts_at > chrono::Utc::now() + chrono::Duration::hours(2))
        .unwrap();
    let new = |kind, target| booking(kind, target, member);
    let b = bookings::book(&s, new(BookingKind::Recovery, slot.id))
        .await
        .unwrap();
    assert_eq!(
        b.booked_by_staff_id,
        Some(me.id),
        "the signed-in staff member is recorded"
    );
    let again = bookings::book(&s, new(BookingKind::Recovery, slot.id))
        .await
        .unwrap_err();
    assert_eq!(code(again), "already_booked");
    let cb = bookings::book(&s, new(BookingKind::Class, class.id))
        .await
        .unwrap();
    let other = hits.get(1).map(|h| h.member_id);
    if let Some(other_member) = other {
        sqlx::query("update members set status = 'active', plan_id = $2 where id = $1")
            .bind(other_member)
            .bind(club.plan("PREMIUM"))
            .execute(&admin)
            .await
            .unwrap();
        let full = bookings::book(
            &s,
            branch_desk_core::bookings::BookingRequest {
                member_id: other_member,
                ..new(BookingKind::Class, class.id)
            },
        )
        .await
        .unwrap_err();
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "code": "full", "message": "Full: 1 of 1 booked" })
        );
    }

    let page = bookings::list(
        &s,
        BookingFilter {
            member_id: Some(member),
            ..Default::default()
        },
        PageRequest {
            after: None,
            limit: 50,
            sort: Sort::StartsAsc,
        },
    )
    .await
    .unwrap();
    assert!(
        page.rows.iter().any(|r| r.id == b.id) && page.rows.iter().any(|r| r.id == cb.id),
        "new bookings show at once"
    );
    assert_eq!(
        code(
            bookings::attendance(&s, BookingKind::Recovery, b.id, Attendance::NoShow)
                .await
                .unwrap_err()
        ),
        "invalid"
    );
    bookings::attendance(&s, BookingKind::Class, cb.id, Attendance::Attended)
        .await
        .unwrap();
    assert_eq!(
        bookings::cancel(&s, BookingKind::Recovery, b.id)
            .await
            .unwrap(),
        None
    );
    let export_dir = dir.path().join("exports");
    let exported = bookings::export_to_folder(&s, BookingFilter::default())
        .await
        .unwrap();
    assert!(
        exported.path.starts_with(&export_dir),
        "the export goes to the desk's export folder: {:?}",
        exported.path
    );
    let csv = std::fs::read_to_string(&exported.path).unwrap();
    assert_eq!(csv.lines().count() as u64, exported.bookings + 1);
    assert!(std::fs::read_dir(&export_dir).unwrap().all(|e| !e
        .unwrap()
        .path()
        .to_string_lossy()
        .ends_with(".part")));

    // Next start without a keyring: the password is asked for again and kept in memory only.
    let s2 = state(dir.path());
    assert_eq!(s2.open_from_config().await, Connection::NeedsPassword);
    assert_eq!(
        app::info(&s2).await.desk_role.as_deref(),
        Some("test_shell_desk_ldn"),
        "the password prompt names the saved desk role"
    );
    assert_eq!(
        app::info(&s2).await.club.as_ref(),
        Some(&settings),
        "Settings opens with the saved connection"
    );
    setup::provide(&s2, "pw")
        .await
        .expect("the password opens the saved connection");
    let info = app::info(&s2).await;
    assert_eq!(info.connection, Connection::Ready);
    assert!(info.staff.is_none(), "a new start needs a new sign-in");

    // A kept password the database refuses (changed on the server): the desk asks for it again,
    // it is not an outage that the banner would retry every few seconds. The test cluster trusts
    // loopback, so the refusal is made with NOLOGIN (SQLSTATE 28000, the same path as 28P01).
    let s3 = state(dir.path());
    s3.secrets.store("test_shell_desk_ldn", "not-the-password");
    let set_login = |login: &'static str| {
        let admin = admin.clone();
        async move {
            sqlx::query(&format!("alter role test_shell_desk_ldn {login}"))
                .execute(&admin)
                .await
                .unwrap();
        }
    };
    set_login("nologin").await;
    let refused = s3.open_from_config().await;
    assert!(
        matches!(&refused, Connection::PasswordRefused { message } if message.contains("refused")),
        "a refused password is its own state: {refused:?}"
    );
    assert_eq!(code(s3.desk().await.unwrap_err()), "unavailable");
    assert_eq!(
        code(setup::provide(&s3, "still-wrong").await.unwrap_err()),
        "not_allowed",
        "a wrong password typed in is refused in words"
    );
    assert!(matches!(
        s3.connection().await,
        Connection::PasswordRefused { .. }
    ));
    set_login("login").await;
    setup::provide(&s3, "pw")
        .await
        .expect("the right password opens the saved connection");
    assert_eq!(app::info(&s3).await.connection, Connection::Ready);
    s3.close().await;
    settings.port = 1;
    assert_eq!(
        code(setup::test(&settings, "pw").await.unwrap_err()),
        "unavailable"
    );
}

/// The embedded demo database through the same commands: first start seeds, the demo desk is
/// restricted, demo PINs are shown and work.
#[tokio::test]
async fn the_demo_database_through_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    assert_eq!(
        s.open_from_config().await,
        Connection::Ready,
        "first run opens the demo database"
    );
    let first = app::info(&s).await;
    assert!(first.first_run && serde_json::to_value(&first).unwrap()["mode"] == "demo");
    let info = setup::use_demo(&s)
        .await
        .expect("choosing the demo database keeps it");
    assert!(!info.first_run, "the choice is saved");
    assert_eq!(serde_json::to_value(&info).unwrap()["mode"], "demo");
    assert_eq!(info.desk_role.as_deref(), Some("branch_desk_demo"));
    assert_eq!(info.club, None, "no club connection is saved");
    let shown = info
        .demo_staff
        .first()
        .expect("demo PINs are shown")
        .clone();
    staff::sign_in_as(&s, &shown.email, &shown.pin)
        .await
        .unwrap();
    let hits = members::search(&s, "M000002").await.unwrap();
    assert_eq!(hits[0].member_number, "M000002");
    let week = schedule::week(&s, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    assert!(!week.slots.is_empty());
    s.close().await;

    // A restart keeps the data (no second seed) and reopens from the saved settings.
    let s2 = state(dir.path());
    assert_eq!(s2.open_from_config().await, Connection::Ready);
    let info = app::info(&s2).await;
    assert_eq!(info.branch.unwrap().code, "LDN");
    s2.close().await;

    // Data the app cannot migrate (here: a recorded migration whose checksum no longer matches)
    // is reported, and the embedded server is stopped, not left holding its lock and its
    // connection (dropping it then blocked the app at "Opening the demo database…").
    let data_dir = dir.path().join("data/demo-db");
    let tamper = |sql: &'static str| {
        let data_dir = data_dir.clone();
        async move {
            let db = branch_desk_core::embedded::EmbeddedDb::open(&data_dir)
                .await
                .unwrap();
            let admin = db.admin_pool().await.unwrap();
            sqlx::query(sql).execute(&admin).await.unwrap();
            db.shutdown().await.unwrap();
        }
    };
    tamper(
        "update _sqlx_migrations set checksum = '\\x00'::bytea || checksum \
         where version = (select min(version) from _sqlx_migrations)",
    )
    .await;
    let watchdog = hang_watchdog("opening demo data that cannot be migrated");
    let s3 = state(dir.path());
    let refused = s3.open_from_config().await;
    drop(watchdog);
    assert!(
        matches!(&refused, Connection::Unavailable { message } if !message.is_empty()),
        "unmigratable demo data is reported: {refused:?}"
    );
    tamper(
        "update _sqlx_migrations set checksum = substring(checksum from 2) \
         where version = (select min(version) from _sqlx_migrations)",
    )
    .await;
    assert_eq!(
        s3.open_from_config().await,
        Connection::Ready,
        "the server was stopped, so the repaired data opens in the same app"
    );
    s3.close().await;
}

/// Ends the test process with a message if it is not dropped within two minutes: a hang (a
/// blocking drop on the runtime's thread) cannot be caught by a tokio timeout.
fn hang_watchdog(what: &'static str) -> std::sync::mpsc::Sender<()> {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            wait.recv_timeout(std::time::Duration::from_secs(120))
        {
            eprintln!("hung for two minutes: {what}");
            std::process::exit(101);
        }
    });
    done
}
