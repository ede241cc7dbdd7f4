#!/usr/bin/env bash
# The entrypoint contract of the official postgres image (docker-library/postgres), written for this
# image: POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), POSTGRES_USER (default postgres), POSTGRES_DB
# (default the user), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256). When PGDATA
# holds no cluster: initdb (the socket trusted, TCP by password), the database created, then
# /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh run once against a server listening on the socket
# only. Then exec the arguments (postgres ...). Works as any UID with a passwd entry, on a read-only root
# filesystem: it writes only PGDATA and the socket directory. As root it drops to postgres first.
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR from itself, from the file VAR_FILE names, or DEFAULT.
file_env() {
	local var=$1 file_var="${1}_FILE" def=${2:-} val
	if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
		echo >&2 "error: both $var and $file_var are set (but are exclusive)"
		exit 1
	fi
	val=$def
	if [[ -n ${!var:-} ]]; then
		val=${!var}
	elif [[ -n ${!file_var:-} ]]; then
		val=$(<"${!file_var}")
	fi
	export "$var"="$val"
	unset "$file_var"
}

# want_help ARGS...: whether postgres is asked only for help or its version, which needs no cluster.
want_help() {
	local arg
	for arg; do
		case $arg in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac
	done
	return 1
}

setup_env() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
	: "${PGDATA:?PGDATA must be set}"
	DATABASE_ALREADY_EXISTS=
	if [[ -s $PGDATA/PG_VERSION ]]; then
		DATABASE_ALREADY_EXISTS=true
	fi
}

create_directories() {
	local user
	user=$(id -u)
	mkdir -p "$PGDATA"
	# A fresh data directory must be 0700 (or 0750); skip when it is not ours (e.g. a mount root).
	chmod 0700 "$PGDATA" 2>/dev/null || :
	mkdir -p /var/run/postgresql || :
	chmod 3777 /var/run/postgresql 2>/dev/null || :
	if [[ $user == 0 ]]; then
		find "$PGDATA" \! -user postgres -exec chown postgres "{}" +
		find /var/run/postgresql \! -user postgres -exec chown postgres "{}" +
	fi
}

verify_minimum_env() {
	if [[ -z ${POSTGRES_PASSWORD:-} && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
		cat >&2 <<-'EOE'
			Error: Database is uninitialized and superuser password is not specified.
			       Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value, or
			       POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password.
		EOE
		exit 1
	fi
}

init_database_dir() {
	local args=(--username="$POSTGRES_USER" --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD")
	# The password reaches initdb through a pipe (bash closes it after the command that opens it).
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as upstream's.
	if [[ -n ${POSTGRES_PASSWORD:-} ]]; then
		initdb "${args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
	else
		initdb "${args[@]}" $POSTGRES_INITDB_ARGS
	fi
	# Every address, by password (the socket stays trusted, for the init scripts and local tools).
	printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
}

# psql_run ARGS...: psql as the superuser over the socket, stopping at the first error.
psql_run() {
	PGHOST=/var/run/postgresql PGPORT=5432 psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

temp_server_start() {
	# Only the socket: nothing outside the container sees the database before it is ready.
	PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
}

temp_server_stop() {
	PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -m fast -w stop
}

setup_db() {
	if [[ $POSTGRES_DB != postgres ]]; then
		psql_run --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			SELECT 'CREATE DATABASE ' || quote_ident(:'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
		EOSQL
	fi
}

# process_init_files FILE...: runs the init scripts, in name order, against POSTGRES_DB.
process_init_files() {
	local f
	for f; do
		case $f in
		*.sh)
			if [[ -x $f ]]; then
				echo "$0: running $f"
				"$f"
			else
				echo "$0: sourcing $f"
				# shellcheck disable=SC1090
				. "$f"
			fi
			;;
		*.sql)
			echo "$0: running $f"
			psql_run --dbname "$POSTGRES_DB" -f "$f"
			;;
		*.sql.gz)
			echo "$0: running $f"
			gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB"
			;;
		*) echo "$0: ignoring $f" ;;
		esac
	done
}

main() {
	if [[ ${1:0:1} == - ]]; then
		set -- postgres "$@"
	fi
	if [[ $1 == postgres ]] && ! want_help "$@"; then
		setup_env
		create_directories
		if [[ $(id -u) == 0 ]]; then
			exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
		fi
		if [[ -z $DATABASE_ALREADY_EXISTS ]]; then
			verify_minimum_env
			init_database_dir
			export PGPASSWORD=${POSTGRES_PASSWORD:-}
			temp_server_start
			setup_db
			shopt -s nullglob
			process_init_files /docker-entrypoint-initdb.d/*
			shopt -u nullglob
			temp_server_stop
			unset PGPASSWORD
			echo
			echo 'PostgreSQL init process complete; ready for start up.'
			echo
		else
			echo
			echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
			echo
		fi
	fi
	exec "$@"
}

main "$@"
