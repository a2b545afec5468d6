#!/usr/bin/env bash
# Builds a release tarball for deploy/ansible: var/releases/detour-bot-<version>.tgz (or into $1).
# `npm pack` runs `prepare` (tsc), so the tarball carries the built dist/; package.json's `files`
# lists what goes in. npm never packs package-lock.json: it is copied to npm-shrinkwrap.json for the
# time of the pack, so the target's `npm ci` installs exactly the tested dependency tree.
# Needs the dev dependencies (`npm ci` once).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-var/releases}"
mkdir -p "$out"
[ -e npm-shrinkwrap.json ] && { echo "npm-shrinkwrap.json exists: remove it first" >&2; exit 1; }
trap 'rm -f npm-shrinkwrap.json' EXIT
cp package-lock.json npm-shrinkwrap.json
npm pack --pack-destination "$out" --silent >/dev/null
version="$(node -p 'require("./package.json").version')"
echo "$out/detour-bot-$version.tgz"
