# What run.sh and serve.sh share; sourced by them, not run.

# install_debian COMMAND:PACKAGE ...: installs each package whose command
# is missing (a command may be a path, for those outside root's PATH).
install_debian() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || missing+=("${pair##*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "installing from Debian: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
        "${missing[@]}" >/dev/null
}

# A port nobody listens on now, from the kernel's ephemeral range.
free_port() {
    local lo hi port
    read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
    while :; do
        port=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

# Waits at most 10 s for `url` to answer; fails when it does not.
wait_for() {
    for _ in $(seq 100); do
        curl -fs -o /dev/null "$1" && return
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}
