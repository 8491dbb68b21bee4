-- Rows and on-disk sizes of the club's tables and each of their indexes.
select c.relname as table, c.reltuples::bigint as rows,
       pg_size_pretty(pg_table_size(c.oid)) as heap_and_toast,
       pg_size_pretty(pg_indexes_size(c.oid)) as indexes,
       pg_size_pretty(pg_total_relation_size(c.oid)) as total,
       pg_total_relation_size(c.oid) as total_bytes
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p')
order by pg_total_relation_size(c.oid) desc;
select t.relname as table, i.relname as index, pg_size_pretty(pg_relation_size(i.oid)) as size,
       pg_relation_size(i.oid) as bytes
from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
join pg_namespace n on n.oid = t.relnamespace
where n.nspname = 'public' and t.relname in ('benefit_slots', 'benefit_bookings', 'class_bookings', 'classes', 'members', 'benefit_slot_days', 'member_name_words')
order by t.relname, pg_relation_size(i.oid) desc;
select pg_size_pretty(pg_database_size(current_database())) as database_size;
