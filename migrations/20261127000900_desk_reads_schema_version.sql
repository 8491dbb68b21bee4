-- Desks show which schema version their database runs (Settings → About), so support can see a
-- branch that lags behind an upgrade. Desks may read the applied versions and nothing else about
-- migrations. Guarded: a database migrated by another tool has no _sqlx_migrations table.
do $$
begin
  if to_regclass('public._sqlx_migrations') is not null then
    grant select (version, success) on public._sqlx_migrations to branch_desk;
  end if;
end
$$;
