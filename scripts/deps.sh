#!/usr/bin/env bash
# Installs what the tests need beyond cargo, on a Debian machine:
# exiftool (the EXIF oracle of the tests). Idempotent.
set -euo pipefail
if ! command -v exiftool >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq libimage-exiftool-perl
fi
