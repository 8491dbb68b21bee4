-- Prototype (not a migration): benefit_slots as a table partitioned by month of starts_at,
-- proto.benefit_slots_by_month, a copy of public.benefit_slots with the same columns, checks and
-- indexes. What partitioning forces on the schema:
--   * every unique key must hold the partition key: the primary key becomes (id, starts_at);
--     (facility_id, starts_at) already does;
--   * so a foreign key to a slot must name (slot_id, starts_at): benefit_bookings has starts_at
--     (the slot's), the new key would be foreign key (slot_id, starts_at) references ... (id, starts_at);
--   * a query that names a slot by id alone, or a branch's local dates alone, reads every
--     partition's index: queries that should prune must also bound starts_at.
-- Monthly partitions from the first slot's month to 13 months past today; a default partition
-- takes anything outside.
\set ON_ERROR_STOP 1
set client_min_messages = warning;
set maintenance_work_mem = '1GB';
create schema if not exists proto;
drop table if exists proto.benefit_slots_by_month;
create table proto.benefit_slots_by_month (like public.benefit_slots including defaults including constraints)
  partition by range (starts_at);
select format('create table proto.benefit_slots_%s partition of proto.benefit_slots_by_month for values from (%L) to (%L)',
              to_char(m, 'YYYY_MM'), m, m + interval '1 month')
from generate_series(date_trunc('month', (select min(starts_at) from public.benefit_slots) at time zone 'Etc/UTC'),
                     date_trunc('month', now() at time zone 'Etc/UTC') + interval '13 months', interval '1 month') m
\gexec
create table proto.benefit_slots_default partition of proto.benefit_slots_by_month default;
\timing on
insert into proto.benefit_slots_by_month select * from public.benefit_slots;
alter table proto.benefit_slots_by_month add primary key (id, starts_at);
alter table proto.benefit_slots_by_month add unique (facility_id, starts_at);
create index on proto.benefit_slots_by_month (branch_id, local_date);
create index on proto.benefit_slots_by_month (facility_id, local_date);
vacuum (analyze) proto.benefit_slots_by_month;
\timing off
