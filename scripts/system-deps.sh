#!/usr/bin/env bash
# Installs the Debian packages reportgen's PDF output needs, when they are missing:
#   fonts-noto-cjk       a Chinese font (without it Chinese renders as empty boxes, silently)
#   libharfbuzz-subset0  lets WeasyPrint subset the big CJK font in ~1 s instead of ~30 s
#   poppler-utils        pdftotext/pdffonts, used by the tests to read PDFs back
set -euo pipefail
pkgs=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
