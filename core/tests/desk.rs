//! Opening a desk on a real club database: a desk role works, an administrator role is refused,
//! a wrong password is a clear error.

mod common;

use branch_desk_core::desk::{connect_club, open_desk, ClubConnection, TlsMode};
use branch_desk_core::Error;
use common::{club, DESK_A, DESK_HQ};
use sqlx::PgPool;

fn settings(admin: &PgPool, role: &str) -> ClubConnection {
    let o = admin.connect_options();
    ClubConnection {
        host: o.get_host().to_owned(),
        port: o.get_port(),
        database: o.get_database().unwrap().to_owned(),
        desk_role: role.into(),
        tls: TlsMode::Disable,
        ca_file: None,
        branch_id: None,
        max_connections: None,
        idle_release_seconds: None,
    }
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_desk_role_opens_and_an_admin_is_refused(admin: PgPool) {
    let c = club(admin).await;
    let desk = connect_club(&settings(&c.admin, DESK_A), "unused-with-trust-auth")
        .await
        .expect("desk opens");
    assert_eq!(desk.branch.code, "LDN");
    assert_eq!(desk.branches.len(), 1);
    assert!(!desk.identity.all_branches);
    let mut tx = desk.begin().await.unwrap();
    let memoize: String = sqlx::query_scalar("show enable_memoize")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        memoize, "off",
        "every desk transaction runs DESK_TRANSACTION_START"
    );
    tx.commit().await.unwrap();
    let after: String = sqlx::query_scalar("show enable_memoize")
        .fetch_one(&desk.pool)
        .await
        .unwrap();
    assert_eq!(
        after, "on",
        "SET LOCAL: nothing outlives the transaction on the connection"
    );

    let mut hq = settings(&c.admin, DESK_HQ);
    hq.branch_id = Some(c.branch_b());
    let desk = connect_club(&hq, "x").await.unwrap();
    assert_eq!(
        (desk.branch.code.as_str(), desk.branches.len()),
        ("NYC", 3),
        "a head-office desk picks its branch"
    );

    let e = open_desk(c.admin.clone(), None, None).await.unwrap_err();
    assert!(
        matches!(&e, Error::NotAllowed(m) if m.contains("administrator")),
        "superuser sessions are refused: {e:?}"
    );

    let e = connect_club(&settings(&c.admin, "test_member_gateway"), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::NotAllowed(m) if m.contains("not set up as a branch desk")),
        "{e:?}"
    );

    let mut bad_db = settings(&c.admin, DESK_A);
    bad_db.database = "no_such_database".into();
    let e = connect_club(&bad_db, "x").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: Some("database"),
                ..
            }
        ),
        "{e:?}"
    );

    let mut bad_port = settings(&c.admin, DESK_A);
    bad_port.port = 1;
    let e = connect_club(&bad_port, "x").await.unwrap_err();
    assert_eq!(
        e.code(),
        "unavailable",
        "an unreachable server is 'unavailable': {e:?}"
    );
}

#[sqlx::test(migrator = "branch_desk_core::db::MIGRATOR")]
async fn a_desk_reads_the_schema_version_and_nothing_else_of_migrations(admin: PgPool) {
    let c = club(admin).await;
    let newest = branch_desk_core::db::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap();
    let desk = c.desk_pool(DESK_A, 1).await;
    assert_eq!(
        branch_desk_core::db::schema_version(&mut desk.acquire().await.unwrap())
            .await
            .unwrap(),
        Some(newest)
    );
    let e = sqlx::query("select checksum from _sqlx_migrations limit 1")
        .fetch_all(&desk)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("permission denied"),
        "only version and success are readable: {e}"
    );
}
