# Shared by the tests that drive the reader in a real terminal: sourced after
# tests/lib.sh, with $sock naming the test's own tmux server.

# T ARGS: tmux on this test's server, with no user configuration.
T() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'T kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT

# wait_for TEXT: until the screen shows it (5 s at most); the screen is left in $TMP/cap.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		T capture-pane -p -t t >"$TMP/cap" 2>/dev/null
		grep -q -- "$1" "$TMP/cap" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
