#!/bin/sh
# The entrypoint of nginxinc/nginx-unprivileged, reduced to its contract: when the command is nginx, run
# the executable /docker-entrypoint.d/*.sh first (none ship here; upstream's template /etc/nginx, which a
# read-only root filesystem refuses), then exec the command.
set -e
case ${1:-} in
nginx | nginx-debug)
	for f in /docker-entrypoint.d/*.sh; do
		if [ -x "$f" ]; then
			echo "$0: running $f"
			"$f"
		fi
	done
	;;
esac
exec "$@"
