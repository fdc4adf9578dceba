# Sourced by .ci/run: a throwaway PostgreSQL cluster on loopback for the Sluice.PostgreSql tests.
#   postgres_start  installs PostgreSQL from the distribution's packages when missing, creates a cluster in a temporary
#                   directory owned by a non-root user (trust authentication on 127.0.0.1 only, no other entry point),
#                   starts it on its own port, waits until it accepts connections and exports
#                   SLUICE_POSTGRES_CONNECTION for the tests.
#   postgres_stop   stops the cluster and deletes its directory.
# Overridable: SLUICE_POSTGRES_PORT (default 55432; the next free port is taken when it is busy).

postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

postgres_start() {
  local bin
  bin=$(postgres_bin || true)
  if [ -z "$bin" ]; then
    echo "postgres: installing PostgreSQL from the distribution's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin=$(postgres_bin)
  fi

  # PostgreSQL refuses to run as root: the cluster belongs to the packages' 'postgres' user when we are root.
  local as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    as=(runuser -u postgres --)
  fi

  POSTGRES_DIR=$(mktemp -d)
  chmod 700 "$POSTGRES_DIR"
  [ ${#as[@]} -gt 0 ] && chown postgres "$POSTGRES_DIR"

  local port=${SLUICE_POSTGRES_PORT:-55432}
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

  "${as[@]}" "$bin/initdb" -D "$POSTGRES_DIR/data" -U sluice --auth=trust --encoding=UTF8 --no-sync >/dev/null
  # Only TCP from 127.0.0.1: no socket or remote entry, whatever initdb wrote.
  echo "host all all 127.0.0.1/32 trust" | "${as[@]}" tee "$POSTGRES_DIR/data/pg_hba.conf" >/dev/null
  # A throwaway cluster: durability settings off for speed (the tests kill clients, never the server).
  "${as[@]}" "$bin/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/server.log" -s -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$POSTGRES_DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    || { cat "$POSTGRES_DIR/server.log" >&2; return 1; }
  POSTGRES_AS=("${as[@]}")
  POSTGRES_BIN=$bin

  local waited=0
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; do
    waited=$((waited + 1))
    if [ "$waited" -ge 30 ]; then
      echo "postgres: not ready after 30s" >&2
      cat "$POSTGRES_DIR/server.log" >&2
      return 1
    fi
    sleep 1
  done

  export SLUICE_POSTGRES_CONNECTION="Host=127.0.0.1;Port=$port;Username=sluice;Database=postgres"
  echo "postgres: $("$bin/postgres" --version) on 127.0.0.1:$port"
}

postgres_stop() {
  [ -n "${POSTGRES_DIR:-}" ] || return 0
  "${POSTGRES_AS[@]}" "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_DIR/data" -s -m fast stop || true
  rm -rf "$POSTGRES_DIR"
  POSTGRES_DIR=
}
