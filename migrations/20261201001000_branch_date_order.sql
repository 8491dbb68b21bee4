-- How a branch writes a date in numbers, for the desk's day fields and lists: 'dmy' (02/12/2026
-- for 2 December: most of the world), 'mdy' (12/02/2026: the US) or 'ymd' (2026-12-02). A desk
-- shows and reads dates this way whatever its PC's locale. Unset, the desk guesses from the
-- branch's time zone (month first in US zones, year first in a few, else day first: dateOrderFor
-- in ui/src/format.ts); an administrator sets it where the guess is wrong:
--   update branches set date_order = 'ymd' where code = 'TOR';
-- Desks read it with the branch row (the existing grant); nobody but an administrator writes it.
-- Queued behind a long transaction (a desk's, say), give up rather than stall every desk's
-- reads of branches behind this ALTER: the migration is run again later.
set local lock_timeout = '10s';
alter table public.branches add column date_order text
  constraint branches_date_order check (date_order in ('dmy', 'mdy', 'ymd'));
comment on column public.branches.date_order is
  'How the branch writes dates in numbers: dmy, mdy or ymd; null: guessed from the time zone by the desk.';
