//! Makes a PostgreSQL database a club database to try the app against (the end-to-end and
//! installer tests use it): applies the migrations, seeds the demo club once, and creates (or
//! updates) a branch desk LOGIN role with a password, mapped to a branch.
//!
//!   DATABASE_URL=postgres://admin@host:5432/club \
//!     cargo run -p branch-desk-core --example seed_club -- ROLE PASSWORD [BRANCH_CODE]
//!
//! BRANCH_CODE defaults to LDN; `HQ` makes a head-office desk (every branch). A club
//! administrator does the same in SQL: see the README, "Connect a branch to the club database".

use branch_desk_core::db::create_desk_role;
use branch_desk_core::demo;
use sqlx::postgres::PgPoolOptions;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(role), Some(password)) = (args.first(), args.get(1)) else {
        eprintln!("usage: seed_club ROLE PASSWORD [BRANCH_CODE]   (DATABASE_URL: an administrator connection)");
        std::process::exit(2);
    };
    let branch = args.get(2).map(String::as_str).unwrap_or("LDN");
    if let Err(e) = run(role, password, branch).await {
        eprintln!("seed_club: {e}");
        std::process::exit(1);
    }
}

async fn run(role: &str, password: &str, branch: &str) -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "set DATABASE_URL to an administrator connection")?;
    let admin = PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await?;
    let seeded = demo::prepare(&admin).await?;
    let branch_id: Option<uuid::Uuid> = if branch == "HQ" {
        None
    } else {
        Some(
            sqlx::query_scalar("select id from branches where code = $1")
                .bind(branch)
                .fetch_optional(&admin)
                .await?
                .ok_or_else(|| format!("no branch with code {branch}"))?,
        )
    };
    create_desk_role(&admin, role, Some(password), branch_id).await?;
    println!(
        "{} the club; desk role {role} works for {branch}",
        if seeded { "seeded" } else { "kept" }
    );
    Ok(())
}
