#!/bin/sh
# The entrypoint contract of the official redis image (docker-library/redis), written for this image:
# options or a *.conf as the first argument run redis-server with them; as root it takes /data for the
# redis user and drops to it; files are created 0600 unless the caller chose another umask.
set -e
case ${1:-} in
-* | *.conf) set -- redis-server "$@" ;;
esac
if [ "${1:-}" = redis-server ] && [ "$(id -u)" = 0 ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$(umask)" = 0022 ]; then
	umask 0077
fi
exec "$@"
