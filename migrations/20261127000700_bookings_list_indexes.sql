-- Why: the All Bookings screen pages through classes and recovery bookings together in start
-- order, with keyset paging ((starts_at, id) > cursor). A single-branch desk walks
-- (branch_id, starts_at, id) from the schema; the manager desk, which sees every branch, walks
-- these. Both keep deep pages as fast as the first at 1,000,000 bookings.
create index class_bookings_start on public.class_bookings (starts_at, id);
create index benefit_bookings_start on public.benefit_bookings (starts_at, id);
-- Filters that the desk uses often: by who booked, and overrides only.
create index class_bookings_booked_by on public.class_bookings (booked_by_staff_id, starts_at) where booked_by_staff_id is not null;
create index benefit_bookings_booked_by on public.benefit_bookings (booked_by_staff_id, starts_at) where booked_by_staff_id is not null;
create index benefit_bookings_slot on public.benefit_bookings (slot_id);
