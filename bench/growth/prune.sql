-- Prototypes for the retention of recovery slots (schema proto; not a migration):
--
--   proto.prune_recovery_slots(keep_days, batch_days): the batched prune. Per branch, by the
--     branch's own today, deletes the slots whose local day ended more than keep_days ago and
--     that no booking references (booked_count = 0 alone is not enough: a cancelled booking
--     keeps its slot, and the foreign key would refuse), batch_days local days of one branch per
--     transaction, and the days' records (benefit_slot_days) older than the cutoff with them.
--     Logs each batch to proto.prune_log.
--   proto.ensure_facility_slots(branch, start, end, keep_days): public.ensure_facility_slots
--     with a horizon: days older than keep_days before the branch's today are never made (the
--     range is cut to the horizon; all of it in the past: nothing to do). Without it, a pruned
--     day has no record, and the next desk to open its week makes every pruned slot again.
set client_min_messages = warning;
create schema if not exists proto;

create table if not exists proto.prune_log (
  run int not null, branch_id uuid not null, first_day date, last_day date, deleted bigint not null,
  days_forgotten bigint not null, ms numeric not null, at timestamptz not null default clock_timestamp());

create or replace procedure proto.prune_recovery_slots(p_keep_days int, p_batch_days int default 7,
                                                       p_branches int default null, p_run int default 1)
language plpgsql
-- (No SET clause: a procedure with one cannot commit. Every name is qualified.)
as $$
declare
  b record;
  v_cutoff date;
  v_from date;
  v_to date;
  v_deleted bigint;
  v_forgotten bigint;
  v_t timestamptz;
begin
  if p_keep_days is null or p_keep_days < 8 then
    -- Members may open a week back (ensure_facility_slots): never prune what they can see.
    raise exception 'Keep at least 8 days of slots.';
  end if;
  for b in select br.id from public.branches br order by br.code limit p_branches loop
    v_cutoff := (now() at time zone public.branch_time_zone(b.id))::date - p_keep_days;
    select min(s.local_date) into v_from from public.benefit_slots s where s.branch_id = b.id;
    while v_from is not null and v_from < v_cutoff loop
      v_to := least(v_from + p_batch_days - 1, v_cutoff - 1);
      v_t := clock_timestamp();
      delete from public.benefit_slots s
      where s.branch_id = b.id and s.local_date between v_from and v_to
        and s.booked_count = 0
        and not exists (select 1 from public.benefit_bookings bb where bb.slot_id = s.id);
      get diagnostics v_deleted = row_count;
      -- The trigger forgot the days it deleted from; the rest of the batch's days go too.
      delete from public.benefit_slot_days d
      where d.branch_id = b.id and d.local_date between v_from and v_to;
      get diagnostics v_forgotten = row_count;
      insert into proto.prune_log (run, branch_id, first_day, last_day, deleted, days_forgotten, ms)
      values (p_run, b.id, v_from, v_to, v_deleted, v_forgotten,
              round(extract(epoch from clock_timestamp() - v_t)::numeric * 1000, 2));
      commit;
      v_from := v_to + 1;
    end loop;
  end loop;
end
$$;

create or replace function proto.ensure_facility_slots(p_branch_id uuid, p_start_date date, p_end_date date,
                                                       p_keep_days int default 35)
  returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
  set lock_timeout = '3s'
as $$
declare
  days_back constant integer := 7;
  days_ahead constant integer := 92;
  v_today date;
  v_start date := p_start_date;
begin
  perform public.check_fresh_transaction('Slots are made');
  v_today := (now() at time zone public.branch_time_zone(p_branch_id))::date;
  if public.caller_kind() = 'member' and p_start_date is not null and p_end_date is not null then
    if v_today is not null
       and (p_start_date < v_today - days_back or p_end_date > v_today + days_ahead) then
      raise exception 'Slots can be opened from % to % (a week back to three months ahead).',
        v_today - days_back, v_today + days_ahead
        using errcode = 'BD001';
    end if;
  end if;
  -- The horizon: days before it are history (their booked slots kept, the rest pruned).
  if v_today is not null and p_start_date is not null and p_end_date is not null then
    v_start := greatest(p_start_date, v_today - p_keep_days);
    if v_start > p_end_date then
      return 0;
    end if;
  end if;
  return public.materialise_facility_slots(p_branch_id, v_start, p_end_date);
end
$$;
revoke execute on function proto.ensure_facility_slots(uuid, date, date, int) from public;
grant usage on schema proto to branch_desk;
grant execute on function proto.ensure_facility_slots(uuid, date, date, int) to branch_desk;
