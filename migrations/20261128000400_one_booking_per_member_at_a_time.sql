-- A member's bookings are made one at a time, so two at once cannot both fit a plan allowance.
--
-- book_class and book_benefit_slot lock only their own class or slot before counting the member's
-- use of the plan. Two bookings for one member into different classes or slots at the same moment
-- (the member's app and a desk, or two desks) both counted "3 of 4 used" and both inserted: 5 of 4,
-- with no override recorded. check_member_may_book, which both call after that lock and before
-- check_allowance, now locks the member's row. The second booking waits for the first to commit,
-- and its count then includes it.
--
-- FOR NO KEY UPDATE: bookings conflict with each other, but not with the foreign-key checks of
-- other inserts (FOR KEY SHARE). Every path takes the class or slot first and the member second,
-- so two bookings cannot wait on each other in a cycle. Volatile now: a stable function may not
-- lock rows.
create or replace function public.check_member_may_book(p_member_id uuid) returns void
  language plpgsql volatile
  set search_path = pg_catalog, public
as $$
declare
  v_status text;
begin
  select m.status into v_status from public.members m where m.id = p_member_id for no key update;
  if not found then
    raise exception 'That member does not exist.' using errcode = 'BD002';
  end if;
  if v_status <> 'active' then
    raise exception 'The membership is %: only active members can book.', v_status using errcode = 'BD001';
  end if;
end
$$;
