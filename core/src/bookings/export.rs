//! All Bookings as a CSV file, for a spreadsheet.

use uuid::Uuid;

use super::list::{check_filter, fetch_page};
use super::{BookingFilter, PageRequest, Sort, MAX_PAGE};
use crate::error::{Error, Result};

/// Writes every booking matching `filter` as CSV (header first), walking the list page by page.
/// Each booking's start is written twice: at its branch's wall-clock time (what the list shows)
/// and in UTC. Returns the number of bookings written.
pub async fn export_csv<W: std::io::Write>(
    conn: &mut sqlx::PgConnection,
    filter: &BookingFilter,
    out: W,
) -> Result<u64> {
    let mut page = PageRequest {
        after: None,
        limit: MAX_PAGE,
        sort: Sort::StartsAsc,
    };
    // Checked once, before anything is read or written; the pages then only fetch.
    check_filter(&mut *conn, filter).await?;
    let branches: std::collections::HashMap<Uuid, (String, Option<chrono_tz::Tz>)> =
        sqlx::query!("select id, name, timezone from branches")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|b| (b.id, (b.name, b.timezone.parse().ok())))
            .collect();
    let mut writer = csv::Writer::from_writer(out);
    let io =
        |e: csv::Error| Error::invalid("file", format!("The CSV file could not be written: {e}"));
    writer
        .write_record([
            "kind",
            "branch",
            "starts_local",
            "starts_at_utc",
            "status",
            "member_number",
            "member_name",
            "class_or_facility",
            "booked_by",
            "capacity_override",
            "allowance_override",
            "override_reason",
            "booking_id",
            "created_at_utc",
        ])
        .map_err(io)?;
    let mut written = 0;
    loop {
        let result = fetch_page(&mut *conn, filter, &page).await?;
        for r in &result.rows {
            let (branch, tz) = branches
                .get(&r.branch_id)
                .map(|(name, tz)| (name.as_str(), *tz))
                .unwrap_or(("", None));
            let local = tz
                .map(|tz| {
                    r.starts_at
                        .with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            writer
                .write_record([
                    r.kind.as_str(),
                    &csv_text(branch),
                    &local,
                    &r.starts_at.to_rfc3339(),
                    r.status.as_str(),
                    &csv_text(&r.member_number),
                    &csv_text(&r.member_name),
                    &csv_text(&r.item_name),
                    &csv_text(r.booked_by_name.as_deref().unwrap_or("")),
                    if r.capacity_override { "yes" } else { "no" },
                    if r.allowance_override { "yes" } else { "no" },
                    &csv_text(r.override_reason.as_deref().unwrap_or("")),
                    &r.id.to_string(),
                    &r.created_at.to_rfc3339(),
                ])
                .map_err(io)?;
            written += 1;
        }
        match result.next {
            Some(c) => page.after = Some(c),
            None => break,
        }
    }
    writer
        .flush()
        .map_err(|e| Error::invalid("file", format!("The CSV file could not be written: {e}")))?;
    Ok(written)
}

/// A text cell as a spreadsheet will read it: text that starts like a formula (`=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, so a name or an override reason such
/// as `=HYPERLINK(...)` opens as text, never as a formula (OWASP's advice for CSV injection).
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_text;

    #[test]
    fn text_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text() {
        for (given, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+44 20 7946 0000", "'+44 20 7946 0000"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tX", "'\tX"),
            ("\rX", "'\rX"),
            ("Ana Lopez", "Ana Lopez"),
            ("O'Brien = late", "O'Brien = late"),
            ("", ""),
        ] {
            assert_eq!(csv_text(given), written, "{given:?}");
        }
    }
}
