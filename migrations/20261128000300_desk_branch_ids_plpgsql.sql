-- Why: every desk query under row-level security calls desk_branch_ids() once per table it
-- reads (the All Bookings page: seven times). As a SQL function with a pinned search_path it was
-- planned afresh on every call, about 0.2 ms each; PL/pgSQL keeps its plan for the session.
-- Same result, same rights (invoker's), same grants (CREATE OR REPLACE keeps them).
create or replace function public.desk_branch_ids() returns uuid[]
  language plpgsql stable
  set search_path = pg_catalog, public
as $$
begin
  return (
    select coalesce(array_agg(b.id), '{}')
    from public.branches b
    where exists (
      select 1 from public.desk_roles d
      where d.role_name = session_user::text
        and (d.branch_id is null or d.branch_id = b.id)
    ));
end
$$;
