-- Settings of every generation session.
set client_min_messages = warning;
set maintenance_work_mem = '1GB';
set work_mem = '256MB';
set jit = off;
