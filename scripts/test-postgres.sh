# Sourced by scripts/with-test-services.sh: a throw-away PostgreSQL cluster for the service's tests, from
# Debian's packages, in a temporary directory, on a free loopback port; stopped and deleted by pg_cleanup.
# PostgreSQL refuses to run as root, and so do we: as root the cluster runs as an unprivileged system user
# (the Debian package's 'postgres', made here if missing). Exports SBK_TEST_POSTGRES (a URL to its admin
# database) and KIOSK_REQUIRE_POSTGRES=1, so the PostgreSQL half of the service's tests fails, not skips,
# when the cluster did not come up.
pg_dir=""
pg_as=()
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

pg_start() {
  local bin; bin="$(pg_bin)"
  export KIOSK_REQUIRE_POSTGRES=1
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "test services: no PostgreSQL server (postgresql-15: make system-deps)" >&2
    return 0
  fi
  pg_dir="$(mktemp -d /tmp/sbk-pg.XXXXXX)"
  if [ "$(id -u)" -eq 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres "$pg_dir"
    pg_as=(runuser -u postgres --)
  fi
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # fsync and full-page writes off: a test cluster is thrown away, durability buys nothing here
  if "${pg_as[@]}" "$bin/initdb" -D "$pg_dir/data" -U sbk -A trust -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 &&
     "${pg_as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 30 \
       -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=400" start >/dev/null 2>&1; then
    export SBK_TEST_POSTGRES="postgresql://sbk@127.0.0.1:$port/postgres"
    echo "test services: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port"
  else
    echo "test services: PostgreSQL did not start:" >&2
    tail -5 "$pg_dir/initdb.log" "$pg_dir/server.log" 2>/dev/null >&2
  fi
}

pg_cleanup() {
  [ -n "$pg_dir" ] || return 0
  local bin; bin="$(pg_bin)"
  [ -e "$pg_dir/data/postmaster.pid" ] && "${pg_as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$pg_dir"
}
