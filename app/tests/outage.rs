//! The club database goes away mid-session and comes back: commands answer `unavailable`, the
//! retry keeps the desk and its signed-in staff member, reports `Ready` once the database answers
//! again, and confirming the same booking again (same idempotency key) books it exactly once.
//! The "network" is a relay between the desk and a real PostgreSQL that the test cuts and mends.

use std::net::SocketAddr;

mod common;

use branch_desk_app::commands::{app, bookings, schedule, setup, staff};
use branch_desk_app::state::Connection;
use branch_desk_core::bookings::BookingKind;
use branch_desk_core::desk::ClubConnection;
use common::{booking, club_with_desk, state};
use sqlx::PgPool;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A TCP relay on a fixed loopback port; dropping it cuts every connection through it.
struct Relay {
    tasks: JoinSet<()>,
}

impl Relay {
    async fn start(listen: SocketAddr, upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind(listen).await.expect("relay port");
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut links = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                links.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Relay { tasks }
    }

    async fn cut(mut self) {
        self.tasks.shutdown().await; // aborts the accept loop, which drops every link with it
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn the_database_goes_away_and_comes_back_without_doubling_a_booking(admin: PgPool) {
    let (club, direct) = club_with_desk(&admin, 5, 50, "test_outage_desk").await;
    let ldn = club.branch("LDN");
    let upstream: SocketAddr = format!("{}:{}", direct.host, direct.port).parse().unwrap();
    let listen: SocketAddr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let relay = Relay::start(listen, upstream).await;

    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let settings = ClubConnection {
        host: listen.ip().to_string(),
        port: listen.port(),
        ..direct
    };
    setup::save_club(&s, &settings, "pw").await.unwrap();
    let me = staff::sign_in_as(&s, "frank.desk.ldn@branchdesk.example", "1357")
        .await
        .unwrap();
    let member: uuid::Uuid = sqlx::query_scalar(
        "select m.id from members m join plan_entitlements e on e.plan_id = m.plan_id
         where m.home_branch_id = $1 and m.status = 'active' and e.kind = 'recovery'
           and e.sessions_per_period is null
         order by m.member_number limit 1",
    )
    .bind(ldn.id)
    .fetch_one(&admin)
    .await
    .unwrap();
    let week = schedule::week(
        &s,
        chrono::Utc::now().date_naive() + chrono::Duration::days(1),
    )
    .await
    .unwrap();
    let slot = week.slots.iter().find(|x| x.booked_count == 0).unwrap();
    let request = booking(BookingKind::Recovery, slot.id, member);

    relay.cut().await;
    let e = bookings::book(&s, request.clone()).await.unwrap_err();
    assert_eq!(
        serde_json::to_value(&e).unwrap()["code"],
        "unavailable",
        "{e:?}"
    );
    let info = app::retry(&s).await;
    assert!(
        matches!(info.connection, Connection::Unavailable { .. }),
        "the retry reports the outage: {:?}",
        info.connection
    );
    assert_eq!(
        info.staff.map(|x| x.id),
        Some(me.id),
        "staff stay signed in"
    );

    let relay = Relay::start(listen, upstream).await;
    let info = app::retry(&s).await;
    assert_eq!(
        info.connection,
        Connection::Ready,
        "back as soon as the database answers"
    );
    assert_eq!(info.staff.map(|x| x.id), Some(me.id));
    let first = bookings::book(&s, request.clone()).await.unwrap();
    let again = bookings::book(&s, request.clone()).await.unwrap();
    assert_eq!(
        first.id, again.id,
        "the same confirm again is the same booking"
    );
    let count: i64 = sqlx::query_scalar(
        "select count(*) from benefit_bookings where slot_id = $1 and member_id = $2",
    )
    .bind(slot.id)
    .bind(member)
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(count, 1, "no doubled booking");

    // The next start, with the server down: no keyring, so the desk asks for the password; the
    // password is kept (in memory) while the server cannot check it, and the retry connects.
    relay.cut().await;
    let next = state(dir.path());
    assert_eq!(next.open_from_config().await, Connection::NeedsPassword);
    let info = setup::provide(&next, "pw").await.unwrap();
    assert!(
        matches!(info.connection, Connection::Unavailable { .. }),
        "{:?}",
        info.connection
    );
    assert!(matches!(
        app::retry(&next).await.connection,
        Connection::Unavailable { .. }
    ));
    let _relay = Relay::start(listen, upstream).await;
    assert_eq!(app::retry(&next).await.connection, Connection::Ready);
    staff::sign_in_as(&next, "frank.desk.ldn@branchdesk.example", "1357")
        .await
        .expect("signed in once the database is back");
}
