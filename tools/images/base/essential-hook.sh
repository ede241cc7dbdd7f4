#!/bin/sh
# mmdebstrap --essential-hook: runs after the Essential packages, before the recipes' packages, with the
# root filesystem as $1. Creates the accounts whose Debian packages would otherwise pick a dynamic id,
# at the ids of the upstream images (postgres 999), so the packages' own files belong to the image's user.
set -eu
root=$1
add() { # add NAME UID HOME SHELL GECOS
	grep -q "^$1:" "$root/etc/passwd" && return
	echo "$1:x:$2:$2:$5:$3:$4" >>"$root/etc/passwd"
	echo "$1:x:$2:" >>"$root/etc/group"
	if [ -e "$root/etc/shadow" ]; then echo "$1:*:0:0:99999:7:::" >>"$root/etc/shadow"; fi
	if [ -e "$root/etc/gshadow" ]; then echo "$1:!::" >>"$root/etc/gshadow"; fi
}
add postgres 999 /var/lib/postgresql /bin/bash "PostgreSQL administrator"
