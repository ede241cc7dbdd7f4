#!/bin/sh
# shellcheck disable=SC2016 # dpkg-query formats, not shell expansions
# mmdebstrap --customize-hook: runs once everything is installed, with the root filesystem as $1 and the
# file to list the installed packages' versions into as $2.
# Keeps the shared layer small and free of state: no database cluster, no JIT, no documentation
# (but the copyright files), no translations, no apt lists or caches, no logs, no generated keys.
set -eu
root=$1
cd "$root"
# postgresql-common creates a "main" cluster on install; the image's entrypoint runs initdb into PGDATA.
rm -rf var/lib/postgresql/[0-9]* etc/postgresql/[0-9]* var/log/postgresql/*
# PostgreSQL's LLVM JIT (libllvm and libz3, ~150 MB): without llvmjit.so, jit is silently off.
for pkg in $(chroot . dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' 'libllvm*' 'libz3-*' 2>/dev/null | sed -n 's/^ii *//p'); do
	chroot . dpkg --purge --force-depends "$pkg" >/dev/null
done
rm -rf usr/lib/postgresql/*/lib/llvmjit* usr/lib/postgresql/*/lib/bitcode
# What the packages' versions are, for the build's record (kept in the cache beside the layer).
chroot . dpkg-query -W -f='${Package} ${Version}\n' >"$2"
find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
find usr/share/doc -mindepth 1 -type d -empty -delete
rm -rf usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian usr/share/i18n/charmaps/*
rm -rf var/lib/apt/lists/* var/cache/apt/* var/cache/debconf/*-old var/lib/dpkg/*-old var/cache/ldconfig/aux-cache
find var/log -type f -delete
# ssl-cert's snakeoil pair, generated at install: a private key shared by every image is no key, and
# without it a rebuild from the same packages gives the same layer, byte for byte.
find etc/ssl/certs -lname ssl-cert-snakeoil.pem -delete
rm -f etc/ssl/certs/ssl-cert-snakeoil.pem etc/ssl/private/ssl-cert-snakeoil.key
# The runtime mounts its own over these.
rm -f var/lib/dbus/machine-id
: >etc/machine-id
: >etc/resolv.conf
: >etc/hostname
