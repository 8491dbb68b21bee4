//! Bookings: the concierge drawer's confirm, cancel / check-in / no-show, the All Bookings list
//! and its CSV export. The signed-in staff member is recorded on every write.

use std::path::PathBuf;

use branch_desk_core::bookings::{
    self, Attendance, Booking, BookingFilter, BookingKind, BookingRequest, Page, PageRequest,
};
use serde::Serialize;
use uuid::Uuid;

use crate::state::DeskState;
use crate::Error;

/// Books from the concierge drawer. The staff member is always the signed-in one: whatever
/// `staff_id` the UI sends is replaced, so the UI cannot choose who booked.
pub async fn book(state: &DeskState, mut req: BookingRequest) -> Result<Booking, Error> {
    let staff = state.staff().await?;
    let desk = state.desk().await?;
    req.staff_id = Some(staff.id);
    let mut tx = desk.begin().await?;
    let booking = bookings::book(&mut *tx, &req).await?;
    tx.commit().await?;
    Ok(booking)
}

pub async fn cancel(
    state: &DeskState,
    kind: BookingKind,
    booking_id: Uuid,
) -> Result<Option<Uuid>, Error> {
    let staff = state.staff().await?;
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    let promoted = bookings::cancel(&mut *tx, kind, booking_id, Some(staff.id)).await?;
    tx.commit().await?;
    Ok(promoted)
}

pub async fn attendance(
    state: &DeskState,
    kind: BookingKind,
    booking_id: Uuid,
    status: Attendance,
) -> Result<(), Error> {
    let staff = state.staff().await?;
    let desk = state.desk().await?;
    let mut tx = desk.begin().await?;
    bookings::set_attendance(&mut *tx, kind, booking_id, status, staff.id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(
    state: &DeskState,
    filter: BookingFilter,
    page: PageRequest,
) -> Result<Page, Error> {
    state.staff().await?;
    let desk = state.desk().await?;
    let filter = filter.for_desk(&desk.identity);
    let mut tx = desk.begin().await?;
    let page = bookings::list_bookings(&mut tx, &filter, &page).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn count(state: &DeskState, filter: BookingFilter) -> Result<i64, Error> {
    state.staff().await?;
    let desk = state.desk().await?;
    let filter = filter.for_desk(&desk.identity);
    let mut tx = desk.begin().await?;
    let total = bookings::count_bookings(&mut tx, &filter).await?;
    tx.commit().await?;
    Ok(total)
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Exported {
    pub path: PathBuf,
    pub bookings: u64,
}

/// Writes the filtered list to `dir/branch-desk-bookings-<time>.csv`; a failed export leaves no
/// half-written file behind.
pub async fn export(
    state: &DeskState,
    filter: BookingFilter,
    dir: PathBuf,
) -> Result<Exported, Error> {
    state.staff().await?;
    let desk = state.desk().await?;
    let filter = filter.for_desk(&desk.identity);
    let name = format!(
        "branch-desk-bookings-{}.csv",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    );
    let path = dir.join(name);
    let tmp = path.with_extension("csv.part");
    let io = |e: std::io::Error| {
        Error::from(branch_desk_core::Error::invalid(
            "file",
            format!("The export cannot be written to {}: {e}", dir.display()),
        ))
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let file = std::fs::File::create(&tmp).map_err(io)?;
    // One transaction for the whole file, like every command: its pages keep one server
    // connection through a transaction pooler too.
    let result = async {
        let mut tx = desk.begin().await?;
        let n = bookings::export_csv(&mut tx, &filter, std::io::BufWriter::new(file)).await?;
        tx.commit().await?;
        Ok::<_, branch_desk_core::Error>(n)
    }
    .await;
    match result {
        Ok(n) => {
            std::fs::rename(&tmp, &path).map_err(io)?;
            Ok(Exported { path, bookings: n })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e.into())
        }
    }
}

/// The export into the desk's export folder (Downloads, else Documents, else home).
pub async fn export_to_folder(state: &DeskState, filter: BookingFilter) -> Result<Exported, Error> {
    let Some(dir) = state.paths.export_dir.clone() else {
        return Err(Error::from(branch_desk_core::Error::invalid(
            "file",
            "No folder to export to: this computer has no Downloads, Documents or home folder.",
        )));
    };
    export(state, filter, dir).await
}
