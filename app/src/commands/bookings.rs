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
    Ok(bookings::book(&desk.pool, &req).await?)
}

pub async fn cancel(
    state: &DeskState,
    kind: BookingKind,
    booking_id: Uuid,
) -> Result<Option<Uuid>, Error> {
    let staff = state.staff().await?;
    Ok(bookings::cancel(&state.desk().await?.pool, kind, booking_id, Some(staff.id)).await?)
}

pub async fn attendance(
    state: &DeskState,
    kind: BookingKind,
    booking_id: Uuid,
    status: Attendance,
) -> Result<(), Error> {
    let staff = state.staff().await?;
    Ok(bookings::set_attendance(
        &state.desk().await?.pool,
        kind,
        booking_id,
        status,
        staff.id,
    )
    .await?)
}

pub async fn list(
    state: &DeskState,
    filter: BookingFilter,
    page: PageRequest,
) -> Result<Page, Error> {
    state.staff().await?;
    Ok(bookings::list_bookings(&state.desk().await?.pool, &filter, &page).await?)
}

pub async fn count(state: &DeskState, filter: BookingFilter) -> Result<i64, Error> {
    state.staff().await?;
    Ok(bookings::count_bookings(&state.desk().await?.pool, &filter).await?)
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
    let result = bookings::export_csv(&desk.pool, &filter, std::io::BufWriter::new(file)).await;
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
