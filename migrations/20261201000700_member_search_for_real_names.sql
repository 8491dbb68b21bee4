-- Why: member search missed a third of real members (issue 16). Tried on a club of 200,000
-- members from 18 cultures, the member a desk meant was in the top five for 65% of typical
-- queries: names typed without accents ("jose" for José) or transliterated ("mueller" for
-- Müller, "thor" for Þór) were typos or nothing; "jeanluc" or "delacruz" (spaces and
-- punctuation left out) found little; member numbers typed another way ("165390", "m-033318",
-- "#104270") and phones with or without the country code or "(0)", or by their last four digits,
-- were not found; an exact name ranked below longer ones; fullwidth letters found nothing; and a
-- two-letter start scored every matching member.
--
-- Now:
--   * fold_name is the one normalisation, used for what is stored and what is typed: NFKC
--     (fullwidth letters, ligatures, combining forms), letters with no decomposition spelt out
--     (ß ss, æ ae, œ oe, þ th, ð d, ł l, ı i, ø o), accents dropped, lower case; with
--     p_spell_out, ä ö ü ø å become ae oe ue oe aa as German and Nordic speakers write them.
--   * name_keys(first, last) is what a member is found by, as members.name_search: each name
--     word in both spellings, each part's words run together ("jeanluc", "delacruz",
--     "smithjones"), and the whole name run together in both orders, marked with '=' (an exact
--     whole name, however it was spaced or punctuated).
--   * Typed words match the start of a name word, or a word one slip away (4+ letters, the
--     vocabulary of 20261128000100); adjacent typed words may also be one run-together word.
--   * Member numbers by member_number_key (prefix letters, digits without leading zeros:
--     "M 088131", "m-88131" and "#088131" are all M88131) or by their digits alone; phones by
--     their last nine digits (the same number with or without country code or trunk 0), by
--     their ending (the last four: the commonest lookup at a desk), or by digits they contain;
--     emails whole (exact) or in part.
--   * Ranking: an exact member number, whole phone or whole email first; then names: an exact
--     whole name, then every typed word a whole name word, then prefixes, then slips; ties go
--     to this desk's branch, active members, then by name. A single word of one or two letters
--     is ranked over a bounded set: the members of its shortest matching words, enough to fill
--     the page, never every member it starts.

-- A desk or member transaction left open must not queue everyone behind this migration's locks.
set local lock_timeout = '10s';

-- 1. Folding.
create function public.fold_name(p_text text, p_spell_out boolean default false) returns text
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
declare
  v text;
begin
  if p_text is null then
    return null;
  end if;
  v := normalize(p_text, NFKC);
  if p_spell_out then
    v := replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(v,
           'ä', 'ae'), 'Ä', 'AE'), 'ö', 'oe'), 'Ö', 'OE'), 'ü', 'ue'), 'Ü', 'UE'),
           'ø', 'oe'), 'Ø', 'OE'), 'å', 'aa'), 'Å', 'AA');
  end if;
  v := replace(replace(replace(replace(replace(replace(replace(replace(v,
         'ß', 'ss'), 'ẞ', 'SS'), 'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'), 'þ', 'th'), 'Þ', 'TH');
  v := translate(v, 'øØðÐđĐłŁıħĦŧŦŋŊĸ', 'ooddddllihhttnnk');
  -- Decompose and drop the combining marks; lower() then needs only ASCII's rules, whatever
  -- the database's locale.
  v := regexp_replace(normalize(v, NFD),
         E'[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g');
  return lower(v);
end
$$;

-- The words of a folded text: apostrophes dropped ("o'brien" is one word), split at white space,
-- ASCII punctuation, dashes and middle dots (letters of any script stay).
create function public.fold_words(p_folded text) returns text[]
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
begin
  return array(
    select w
    from regexp_split_to_table(translate(coalesce(p_folded, ''), E'''\u2019\u2018\u02bc\u00b4`', ''),
                               E'[\\s!-/:-@\\[-`{-~\u00a0\u2010-\u2015\u2212\u00b7\u30fb]+') with ordinality x(w, i)
    where w <> ''
    order by i);
end
$$;

-- What a member is found by (see the top of this file).
create function public.name_keys(p_first text, p_last text) returns text[]
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_keys text[] := '{}';
  v_spell boolean;
  v_first text[];
  v_last text[];
begin
  foreach v_spell in array array[false, true] loop
    v_first := public.fold_words(public.fold_name(p_first, v_spell));
    v_last := public.fold_words(public.fold_name(p_last, v_spell));
    v_keys := v_keys || v_first || v_last;
    if cardinality(v_first) > 1 then
      v_keys := v_keys || array_to_string(v_first, '');
    end if;
    if cardinality(v_last) > 1 then
      v_keys := v_keys || array_to_string(v_last, '');
    end if;
    v_keys := v_keys || ('=' || array_to_string(v_first || v_last, ''))
                     || ('=' || array_to_string(v_last || v_first, ''));
  end loop;
  return array(select distinct k from unnest(v_keys) k where k <> '' and k <> '=' order by 1);
end
$$;

-- A member number as it is compared: capitals and digits only, the digits without leading
-- zeros ("m-088131" and "M088131" are both M88131); and the digits alone.
create function public.member_number_key(p_number text) returns text
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
declare
  v text := regexp_replace(upper(public.fold_name(coalesce(p_number, ''))), '[^A-Z0-9]', '', 'g');
begin
  return regexp_replace(v, '^([A-Z]*)0*([0-9])', E'\\1\\2');
end
$$;

create function public.member_number_digits(p_number text) returns text
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
begin
  return nullif(ltrim(regexp_replace(coalesce(p_number, ''), '[^0-9]', '', 'g'), '0'), '');
end
$$;

-- 2. What members are found by. name_search is made again from name_keys (a table rewrite: the
-- generated column's expression changes); the vocabulary follows.
drop index public.members_name_search;
alter table public.members drop column name_search;
alter table public.members
  add column name_search tsvector
    generated always as (array_to_tsvector(public.name_keys(first_name, last_name))) stored,
  add column member_number_key text
    generated always as (public.member_number_key(member_number)) stored,
  add column member_number_digits text
    generated always as (public.member_number_digits(member_number)) stored;
create index members_name_search on public.members using gin (name_search);
create index members_member_number_folded on public.members (member_number_key text_pattern_ops);
create index members_member_number_digits on public.members (member_number_digits);
create index members_phone_last9 on public.members (right(phone_digits, 9));
create index members_phone_last4 on public.members (right(phone_digits, 4));
create index members_email_lower on public.members (lower(email));

-- The vocabulary of name words, for slips and short starts; whole names ('=') are not in it.
create or replace function public.member_name_words_learn() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  insert into public.member_name_words (word, keys)
  select x.w, public.name_word_keys(x.w)
  from (select distinct unnest(tsvector_to_array(r.name_search)) from changed r) x(w)
  where x.w not like '=%'
  on conflict (word) do nothing;
  return null;
end
$$;
truncate public.member_name_words;
insert into public.member_name_words (word, keys)
select w, public.name_word_keys(w)
from (select distinct unnest(tsvector_to_array(m.name_search)) from public.members m) x(w)
where w not like '=%';
create index member_name_words_prefix on public.member_name_words (word text_pattern_ops);

-- 3. The search. search_members (20261201000200) checks the caller and calls this.
create or replace function public.search_member_hits(p_query text, p_limit integer default 20)
  returns table (
    member_id uuid, member_number text, first_name text, last_name text, email text, phone text,
    status text, home_branch_id uuid, plan_id uuid, score real
  )
  language plpgsql stable
  set search_path = pg_catalog, public, extensions, pg_temp
  -- The planner guesses a thousand rows for every set here, and a long name's query then costs
  -- enough to be compiled to machine code (JIT) on every call: 40 ms for a five-word name.
  set jit = off
as $$
declare
  max_length constant integer := 200;
  -- More words than this are ignored (a name has fewer).
  max_words constant integer := 6;
  q text;
  q_like text;
  digits text;
  v_key text;
  v_branch uuid;
  typed text[] := '{}';
  spelt text[];
  v_query text;
  v_alt text[] := '{}';
  v_parts text[];
  i integer;
  v_short_words text[];
  v_len integer;
  v_count bigint;
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'Show between 1 and 100 results.' using errcode = 'BD001';
  end if;
  if length(p_query) > max_length then
    raise exception 'Search text is too long: use at most % characters.', max_length using errcode = 'BD001';
  end if;
  q := btrim(regexp_replace(public.fold_name(coalesce(p_query, '')), E'[\\s\u00a0\u2000-\u200b\u3000]+', ' ', 'g'));
  if q = '' then
    return;
  end if;
  -- Folding can lengthen text (one "㌖" is six letters): the limit holds after it too.
  if octet_length(q) > 4 * max_length then
    raise exception 'Search text is too long: use at most % characters.', max_length using errcode = 'BD001';
  end if;
  -- The query is data, never pattern syntax: escape LIKE's metacharacters.
  q_like := replace(replace(replace(q, E'\\', E'\\\\'), '%', E'\\%'), '_', E'\\_');
  digits := regexp_replace(q, '[^0-9]', '', 'g');
  v_key := public.member_number_key(q);
  -- Ties go to this desk's branch (a head-office desk has none).
  select case when cardinality(b) = 1 then b[1] end into v_branch from (select public.desk_branch_ids() b) x;
  -- A name has no digits and no '@', and at least two characters that are not punctuation.
  if q !~ '[0-9@]' then
    typed := (public.fold_words(q))[1:max_words];
    if length(array_to_string(typed, '')) < 2 then
      typed := '{}';
    end if;
  end if;

  if cardinality(typed) = 0 then
    -- Member numbers, emails and phones.
    return query
    with candidates as (
      select m.id, 3.0::real as s from public.members m
      where v_key ~ '[0-9]' and m.member_number_key = v_key
      union all
      select m.id, 2.9 from public.members m
      where q ~ '^[# ]*[a-z]{0,4}[ #./-]*[0-9][0-9 ./-]*$' and length(digits) between 1 and 12
        and m.member_number_digits = ltrim(digits, '0')
      union all
      select m.id, 2.0 from public.members m
      where q ~ '^[# ]*[a-z]{1,4}[ #./-]*[0-9]{2,}$' and m.member_number_key like v_key || '%'
      union all
      select m.id, 3.0 from public.members m
      where position('@' in q) > 0 and lower(m.email) = q
      union all
      select m.id, 1.0 + similarity(lower(m.email), q) from public.members m
      where length(q) >= 3 and q !~ ' ' and (q ~ '[@._+-]' or length(q) >= 5) and q ~ '[a-z]'
        -- A whole email that someone has needs no fragments.
        and not (position('@' in q) > 0 and exists (select 1 from public.members x where lower(x.email) = q))
        and lower(m.email) like '%' || q_like || '%'
      union all
      -- The same phone, with or without country code or trunk 0: its last nine digits.
      select m.id, 3.0 from public.members m
      where length(digits) >= 9 and q ~ '^[0-9 ()+./-]+$' and right(m.phone_digits, 9) = right(digits, 9)
      union all
      select m.id, 1.8 from public.members m
      where length(digits) = 4 and q ~ '^[0-9 ()+./-]+$' and right(m.phone_digits, 4) = digits
      union all
      select m.id, case when m.phone_digits like '%' || digits then 1.8 else 1.4 end from public.members m
      where length(digits) between 5 and 8 and q ~ '^[0-9 ()+./-]+$' and m.phone_digits like '%' || digits || '%'
    ),
    best as (
      select c.id, max(c.s) as s from candidates c group by c.id
    )
    select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
           m.home_branch_id, m.plan_id, b.s::real
    from best b
    join public.members m on m.id = b.id
    order by b.s desc, (m.home_branch_id = v_branch) desc nulls last, (m.status = 'active') desc,
             m.last_name, m.first_name, m.member_number
    limit p_limit;
    return;
  end if;

  -- Each typed word in the other spelling too ("muller" for "mueller" is not a slip, but the
  -- member may be stored either way).
  spelt := (public.fold_words(public.fold_name(p_query, true)))[1:max_words];

  -- A single word of one or two letters: the members of its shortest matching words, enough to
  -- fill the page (its own word first: "li" before "liam").
  if cardinality(typed) = 1 and length(typed[1]) <= 2 then
    v_short_words := '{}';
    v_count := 0;
    for v_len in
      select distinct length(v.word) from public.member_name_words v
      where v.word like typed[1] || '%' order by 1
    loop
      v_short_words := v_short_words || array(
        select v.word from public.member_name_words v where v.word like typed[1] || '%' and length(v.word) = v_len);
      select count(*) into v_count from public.members m
      where m.name_search @@ (select string_agg(quote_literal(w), ' | ')::tsquery from unnest(v_short_words) w);
      exit when v_count >= p_limit;
    end loop;
    if cardinality(v_short_words) = 0 then
      return;
    end if;
    return query
    select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
           m.home_branch_id, m.plan_id,
           (select max(case when nw.word = typed[1] then 1.0
                            else 0.7 + 0.25 * length(typed[1]) / length(nw.word) end)
            from unnest(tsvector_to_array(m.name_search)) nw(word)
            where nw.word = any (v_short_words))::real
    from public.members m
    where m.name_search @@ (select string_agg(quote_literal(w), ' | ')::tsquery from unnest(v_short_words) w)
    order by 10 desc, (m.home_branch_id = v_branch) desc nulls last, (m.status = 'active') desc,
             m.last_name, m.first_name, m.member_number
    limit p_limit;
    return;
  end if;

  -- The tsquery: every typed word begins a name word (in either spelling, or is one slip
  -- from one); or two adjacent typed words, or all of them, are one run-together word.
  return query
  with typed_words as (
    select t.tw, coalesce(spelt[t.i], t.tw) as sw, t.i, public.name_word_keys(t.tw) as keys
    from unnest(typed) with ordinality t(tw, i)
  ),
  slips as (
    select t.i, v.word
    from typed_words t
    join public.member_name_words v on length(t.tw) >= 4 and v.keys && t.keys and v.word <> t.tw
  ),
  -- A typed word stands for the name words it begins, except a word of one or two letters
  -- before the last (de, da, le, al: particles, or names such as Ho and Li): that one is a
  -- whole word, since the desk has moved on from it.
  alternatives as (
    select t.i, '(' || quote_literal(t.tw) || t.prefix
             || case when t.sw <> t.tw then ' | ' || quote_literal(t.sw) || t.prefix else '' end
             || coalesce((select string_agg(' | ' || quote_literal(s.word), '') from slips s where s.i = t.i), '')
             || ')' as alt
    from (select t.*, case when length(t.tw) <= 2 and t.i < cardinality(typed) then '' else ':*' end as prefix
          from typed_words t) t
  ),
  -- What must match: every typed word (one-letter words, initials, only when nothing longer
  -- than two letters was typed: a lone "e" or "s" starts a tenth of all name words), or the
  -- typed words run together as one word or as the whole name.
  every_word as (
    select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
    where m.name_search @@ (
      select ('(' || coalesce((select string_agg(a.alt, ' & ' order by a.i) from alternatives a
                               join typed_words t on t.i = a.i
                               where length(t.tw) > 1 or not exists (select 1 from typed_words l where length(l.tw) > 2)), '')
              || ')' || case when cardinality(typed) > 1
                             then ' | ' || quote_literal(array_to_string(typed, '')) || ':*' else '' end
              || ' | ' || quote_literal('=' || array_to_string(typed, '')) || ':*')::tsquery)
  ),
  -- Else two adjacent typed words may be one word of the name ("jean luc" for Jeanluc).
  paired as (
    select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
    where not exists (select 1 from every_word) and cardinality(typed) between 2 and 4
      and m.name_search @@ (
        select string_agg('(' || g.q || ')', ' | ')::tsquery from (
          select string_agg(case when a.i = k then '(' || quote_literal(t1.tw || t2.tw) || ':*)'
                                 else a.alt end, ' & ' order by a.i) as q
          from generate_series(1, cardinality(typed) - 1) k
          join typed_words t1 on t1.i = k
          join typed_words t2 on t2.i = k + 1
          join alternatives a on a.i <> k + 1
          group by k) g)
  ),
  -- Else members who match some of the typed words.
  some_word as (
    select m.id, m.name_search, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status, m.home_branch_id, m.plan_id from public.members m
    where not exists (select 1 from every_word) and not exists (select 1 from paired)
      and m.name_search @@ (select string_agg(a.alt, ' | ')::tsquery from alternatives a)
  ),
  names as (
    select n.id, n.member_number, n.first_name, n.last_name, n.email, n.phone, n.status,
           n.home_branch_id, n.plan_id,
           -- An exact whole name needs no more scoring (common names have hundreds of those).
           case when x.whole >= 1.1 then 1.1 else (
             select greatest(x.whole, b.mean,
               -- Two adjacent typed words as one run-together word, the others as they are:
               -- asked only when a typed word matched no word of the name by itself ("jean luc"
               -- for Jeanluc).
               case when b.worst = 0 then (
                 select max(p.s) from (
                   select (2 * max(case when nw.word = t1.tw || t2.tw then 1.0
                                        when starts_with(nw.word, t1.tw || t2.tw)
                                          then 0.7 + 0.25 * length(t1.tw || t2.tw) / length(nw.word)
                                        else 0 end)
                           + coalesce((select sum(y.best) from (
                                select max(case when w2.word in (t.tw, t.sw) then 1.0
                                                when starts_with(w2.word, t.tw) then 0.7 + 0.25 * length(t.tw) / length(w2.word)
                                                else 0 end) as best
                                from typed_words t cross join unnest(tsvector_to_array(n.name_search)) w2(word)
                                where t.i not in (t1.i, t2.i) and w2.word not like '=%'
                                group by t.i) y), 0)) / cardinality(typed) as s
                   from typed_words t1
                   join typed_words t2 on t2.i = t1.i + 1
                   cross join unnest(tsvector_to_array(n.name_search)) nw(word)
                   group by t1.i, t2.i) p)
               else 0 end)
             from (
               -- Word by word: the mean of each typed word's best match, and the worst.
               select avg(w.best) as mean, min(w.best) as worst from (
                 select max(case when nw.word in (t.tw, t.sw) then 1.0
                                 when starts_with(nw.word, t.tw) then 0.7 + 0.25 * length(t.tw) / length(nw.word)
                                 when starts_with(nw.word, t.sw) then 0.7 + 0.25 * length(t.sw) / length(nw.word)
                                 when exists (select 1 from slips s where s.i = t.i and s.word = nw.word)
                                   then 0.55 + 0.1 * similarity(nw.word, t.tw)
                                 else 0 end) as best
                 from typed_words t
                 cross join unnest(tsvector_to_array(n.name_search)) nw(word)
                 where nw.word not like '=%'
                 group by t.i) w) b)
           end::real as s
    from (select * from every_word union all select * from paired union all select * from some_word) n
    cross join lateral (
      -- The whole name, however spaced: exactly, or its start.
      select coalesce(max(case when nw.word = '=' || array_to_string(typed, '') then 1.1
                               when starts_with(nw.word, '=' || array_to_string(typed, ''))
                                 then 0.7 + 0.25 * length(array_to_string(typed, '')) / (length(nw.word) - 1)
                               else 0 end), 0) as whole
      from unnest(tsvector_to_array(n.name_search)) nw(word) where nw.word like '=%'
    ) x
  ),
  candidates as (
    select n.* from names n
    union all
    select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
           m.home_branch_id, m.plan_id, 3.0::real
    from public.members m
    where v_key ~ '[0-9]' and m.member_number_key = v_key
    union all
    -- A plain word of 5+ letters is an email fragment only when it is no one's name ("livsmith").
    select m.id, m.member_number, m.first_name, m.last_name, m.email, m.phone, m.status,
           m.home_branch_id, m.plan_id, (1.0 + similarity(lower(m.email), q))::real
    from public.members m
    where length(q) >= 3 and q !~ ' '
      and (q ~ '[._+-]' or (length(q) >= 5 and not exists (select 1 from names)))
      and lower(m.email) like '%' || q_like || '%'
  ),
  best as (
    select distinct on (c.id) c.* from candidates c order by c.id, c.s desc
  )
  select b.id, b.member_number, b.first_name, b.last_name, b.email, b.phone, b.status,
         b.home_branch_id, b.plan_id, b.s
  from best b
  order by b.s desc, (b.home_branch_id = v_branch) desc nulls last, (b.status = 'active') desc,
           b.last_name, b.first_name, b.member_number
  limit p_limit;
end
$$;

-- name_words (20261128000100) made the old name_search; search and the vocabulary now use
-- fold_words and name_keys. Who may run what: as 20261201000600 states it, for the new ones.
drop function public.name_words(text);
revoke all on function public.fold_name(text, boolean), public.fold_words(text),
  public.name_keys(text, text), public.member_number_key(text), public.member_number_digits(text)
  from public, anon, authenticated, service_role, branch_desk;
-- They run in the generated columns, as whoever writes members (administrators). Search runs
-- with its owner's rights (20261201000200), so desks need none of them, nor name_word_keys.
revoke execute on function public.name_word_keys(text) from branch_desk, service_role;
grant execute on function public.fold_name(text, boolean), public.fold_words(text),
  public.name_keys(text, text), public.member_number_key(text), public.member_number_digits(text)
  to service_role;
