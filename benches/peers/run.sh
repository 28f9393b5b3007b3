#!/usr/bin/env bash
# syndic beside its peers on the same feeds: Python `reader` (feedparser
# inside, SQLite store) and sfeed (shell, curl and a C parser, TSV files),
# each polling N generated feeds of 50 realistic items that nginx serves on
# loopback with ETags, 16 fetches at once for every tool. The tools take
# turns, round after round, so a load that comes and goes on the machine
# falls on each alike. Prints, per tool and phase, the medians of wall
# time, CPU time (user + system, children included) and peak memory, the
# store's size per item, and each tool's wall time as a multiple of
# syndic's; then serving against nginx (serve.sh beside this file).
#
#   bash benches/peers/run.sh [N] [ROUNDS]      default: 1000 feeds, 3 rounds
#   SKIP_SERVE=1 bash benches/peers/run.sh ...  polling only
#
# Installs what is missing: nginx, sfeed, curl and GNU time from Debian,
# reader and feedparser from PyPI (into a venv under the target directory).
# Every tool must end with the same number of items, or the run fails.
set -euo pipefail

N="${1:-1000}"
ROUNDS="${2:-3}"
ITEMS=50
JOBS=16
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="$target/peers/venv"
# shellcheck source=benches/peers/common.sh
. "$here/common.sh"

install_python() {
    # reader's own copy of feedparser imports sgmllib, which it does not
    # pull in itself.
    if ! "$venv/bin/python" -c 'import reader, sgmllib' 2>/dev/null; then
        echo "installing from PyPI: reader, feedparser, sgmllib3k"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q reader feedparser sgmllib3k
    fi
}

start_nginx() {
    port="$(free_port)"
    mkdir -p "$work/nginx/tmp"
    local user_line=""
    # As root, nginx's workers would run as nobody, who cannot read the
    # private temp directory the feeds are in.
    [ "$(id -u)" = 0 ] && user_line="user root;"
    cat >"$work/nginx/nginx.conf" <<EOF
$user_line
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    types { application/rss+xml xml; }
    server { listen 127.0.0.1:$port; root $work/www; etag on; }
}
EOF
    /usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
    wait_for "http://127.0.0.1:$port/feed/0.xml" || {
        cat "$work/nginx/error.log" >&2
        exit 1
    }
}

cleanup() {
    [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
    rm -rf "$work"
}

# The store's bytes, write-ahead log included.
bytes_of() {
    du -cb "$@" 2>/dev/null | tail -1 | cut -f1
}

# measure TOOL PHASE ROUND: runs the tool's `cmd`, then records its times,
# peak memory, items stored and store size.
measure() {
    local tool=$1 phase=$2 round=$3
    if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time" "${cmd[@]}" >"$work/out" 2>"$work/err"; then
        echo "$tool ($phase, round $round) failed:" >&2
        tail -5 "$work/err" >&2
        exit 1
    fi
    local wall user sys rss
    read -r wall user sys rss <"$work/time"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$phase" "$round" "$wall" \
        "$user" "$sys" "$rss" "$("${tool}_count")" "$("${tool}_size")" >>"$results"
}

syndic_setup() {
    state="$work/state/syndic"
    mkdir -p "$state"
    {
        printf '[daemon]\ndatabase = "syndic.db"\nconcurrency = %d\nper_host = %d\n' "$JOBS" "$JOBS"
        for i in $(seq 0 $((N - 1))); do
            printf '[[source]]\nname = "feed-%d"\nurl = "http://127.0.0.1:%d/feed/%d.xml"\nallow_private = true\n' \
                "$i" "$port" "$i"
        done
    } >"$state/feeds.toml"
    cmd=(env SYNDIC_LOG=warn "$syndic" --config "$state/feeds.toml" poll --all)
}
syndic_count() {
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from items").fetchone()[0])' \
        "$state/syndic.db"
}
syndic_size() { bytes_of "$state"/syndic.db*; }

reader_setup() {
    state="$work/state/reader"
    mkdir -p "$state"
    for i in $(seq 0 $((N - 1))); do echo "http://127.0.0.1:$port/feed/$i.xml"; done >"$state/urls"
    "$venv/bin/python" "$here/reader_poll.py" add "$state/reader.sqlite" "$state/urls"
    cmd=("$venv/bin/python" "$here/reader_poll.py" update "$state/reader.sqlite" "$JOBS")
}
reader_count() { tail -1 "$work/out"; }
reader_size() { bytes_of "$state"/reader.sqlite*; }

sfeed_setup() {
    state="$work/state/sfeed"
    mkdir -p "$state/feeds"
    {
        printf 'sfeedpath="%s/feeds"\nmaxjobs=%d\nfeeds() {\n' "$state" "$JOBS"
        for i in $(seq 0 $((N - 1))); do
            printf '\tfeed "feed-%d" "http://127.0.0.1:%d/feed/%d.xml"\n' "$i" "$port" "$i"
        done
        printf '}\n'
    } >"$state/sfeedrc"
    cmd=(sfeed_update "$state/sfeedrc")
}
sfeed_count() { cat "$state/feeds"/* | wc -l; }
sfeed_size() { bytes_of "$state/feeds"; }

install_debian /usr/sbin/nginx:nginx sfeed_update:sfeed curl:curl /usr/bin/time:time
install_python
echo "building syndic (release)"
(cd "$repo" && cargo build --release --quiet)
syndic="$target/release/syndic"

work="$(mktemp -d)"
trap cleanup EXIT
results="$work/results.tsv"
echo "generating $N feeds of $ITEMS items"
python3 "$here/feeds.py" "$work/www" "$N" "$ITEMS"
start_nginx

for round in $(seq "$ROUNDS"); do
    for tool in syndic reader sfeed; do
        echo "round $round/$ROUNDS: $tool"
        rm -rf "$work/state/$tool"
        "${tool}_setup"
        measure "$tool" "first poll" "$round"
        measure "$tool" "re-poll" "$round"
    done
done

echo
python3 "$here/table.py" "$results" "$((N * ITEMS))"
if [ "${SKIP_SERVE:-}" != 1 ] && [ -f "$here/serve.sh" ]; then
    echo
    bash "$here/serve.sh"
fi
