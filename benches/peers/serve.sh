#!/usr/bin/env bash
# Serving beside nginx: syndic and nginx serve the same bytes (one output
# of 50 realistic items from feeds.py as RSS, and its gzip form) on loopback, and wrk
# loads each in turn: a full GET, a GET with `Accept-Encoding: gzip`, and
# a conditional GET answered `304` (If-None-Match). Prints requests per
# second of each and the ratio syndic/nginx as a plain table.
#
#   bash benches/peers/serve.sh
#
# Environment: SERVE_SECS (seconds per run, default 10), SERVE_CONNS
# (keep-alive connections, default 32), SERVE_THREADS (wrk threads,
# default: the number of cores), SERVE_ROUNDS (runs of each, taken in
# turns, the median reported; default 1).
#
# nginx serves the gzip body syndic made, as a precompressed file
# (`gzip_static`), so both send the very same bytes; nothing is compressed
# per request on either side. Installs nginx, wrk, curl and python3 from Debian
# when missing. Everything listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail

SECS=${SERVE_SECS:-10}
CONNS=${SERVE_CONNS:-32}
THREADS=${SERVE_THREADS:-$(nproc)}
ROUNDS=${SERVE_ROUNDS:-1}
FEEDS=20
ITEMS=50

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=benches/peers/common.sh
. "$here/common.sh"

# Requests per second of one wrk run.
rate() {
    wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" "$@" | awk '/^Requests\/sec:/ { print $2 }'
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

install_debian /usr/sbin/nginx:nginx wrk:wrk curl:curl python3:python3
NGINX=/usr/sbin/nginx

echo "building syndic (release) …" >&2
(cd "$repo" && cargo build --release --quiet)
syndic="${CARGO_TARGET_DIR:-$repo/target}/release/syndic"

work=$(mktemp -d)
# nginx's workers may run as another user: they must read the files.
chmod 755 "$work"
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT

mkdir -p "$work/public/feeds"
python3 "$here/feeds.py" "$work" "$FEEDS" "$ITEMS"
syndic_port=$(free_port)
{
    echo "[daemon]"
    echo "listen = \"127.0.0.1:$syndic_port\""
    echo "database = \"syndic.db\""
    for ((f = 0; f < FEEDS; f++)); do
        printf '[[source]]\nname = "f%d"\npath = "feed/%d.xml"\ntags = ["all"]\n' "$f" "$f"
    done
    printf '[[output]]\nname = "bench"\ntags = ["all"]\nlimit = 50\n'
} >"$work/feeds.toml"

echo "polling $FEEDS feeds × $ITEMS items …" >&2
SYNDIC_LOG=warn "$syndic" --config "$work/feeds.toml" poll --all >/dev/null
SYNDIC_LOG=warn "$syndic" --config "$work/feeds.toml" run >"$work/syndic.log" 2>&1 &
pids+=($!)
syndic_url="http://127.0.0.1:$syndic_port/feeds/bench.rss"
wait_for "http://127.0.0.1:$syndic_port/healthz" || exit 1

# The very bytes syndic serves, in both codings, for nginx to serve.
curl -fs "$syndic_url" -o "$work/public/feeds/bench.rss"
curl -fs -H 'Accept-Encoding: gzip' "$syndic_url" -o "$work/public/feeds/bench.rss.gz"
touch -r "$work/public/feeds/bench.rss" "$work/public/feeds/bench.rss.gz"

nginx_port=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    open_file_cache max=16 inactive=60s;
    open_file_cache_valid 60s;
    types { application/rss+xml rss; }
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/public;
        location /feeds/ {
            gzip_static on;
            gzip_vary on;
            etag on;
        }
    }
}
CONF
"$NGINX" -p "$work" -c "$work/nginx.conf" &
pids+=($!)
nginx_url="http://127.0.0.1:$nginx_port/feeds/bench.rss"
wait_for "$nginx_url" || exit 1

cmp -s <(curl -fs "$syndic_url") <(curl -fs "$nginx_url") ||
    { echo "syndic and nginx serve different bodies" >&2; exit 1; }
cmp -s <(curl -fs -H 'Accept-Encoding: gzip' "$syndic_url") \
    <(curl -fs -H 'Accept-Encoding: gzip' "$nginx_url") ||
    { echo "syndic and nginx serve different gzip bodies" >&2; exit 1; }

etag_of() {
    curl -fsI "$1" | tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }'
}
syndic_etag=$(etag_of "$syndic_url")
nginx_etag=$(etag_of "$nginx_url")
status_with_etag() {
    curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $2" "$1"
}
[ "$(status_with_etag "$syndic_url" "$syndic_etag")" = 304 ] &&
    [ "$(status_with_etag "$nginx_url" "$nginx_etag")" = 304 ] ||
    { echo "a conditional GET was not answered 304" >&2; exit 1; }

body=$(stat -c %s "$work/public/feeds/bench.rss")
gz=$(stat -c %s "$work/public/feeds/bench.rss.gz")
echo "body $body bytes, gzip $gz bytes; wrk -t$THREADS -c$CONNS, ${SECS} s per run, $ROUNDS round(s), $(nproc) cores" >&2

declare -A runs
for ((r = 0; r < ROUNDS; r++)); do
    for server in syndic nginx; do
        url_var="${server}_url"
        etag_var="${server}_etag"
        runs[$server.full]+="$(rate "${!url_var}") "
        runs[$server.gzip]+="$(rate -H 'Accept-Encoding: gzip' "${!url_var}") "
        runs[$server.304]+="$(rate -H "If-None-Match: ${!etag_var}" "${!url_var}") "
    done
done

printf '%-10s %14s %14s %14s\n' case "syndic req/s" "nginx req/s" "syndic/nginx"
for case in full gzip 304; do
    s=$(tr ' ' '\n' <<<"${runs[syndic.$case]}" | grep . | median)
    n=$(tr ' ' '\n' <<<"${runs[nginx.$case]}" | grep . | median)
    label=$case
    [ "$case" = full ] && label="full GET"
    printf '%-10s %14.0f %14.0f %14.2f\n' "$label" "$s" "$n" "$(awk -v s="$s" -v n="$n" 'BEGIN { print s / n }')"
done
