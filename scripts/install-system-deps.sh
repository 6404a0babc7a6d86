#!/usr/bin/env bash
# Install the Debian packages jixiao needs, where we can (root and apt-get present).
#   report: CJK fonts (fonts-noto-cjk: Noto Sans and Serif CJK SC for charts, HTML, PDF).
#   test:   the above, plus poppler-utils (pdftoppm, pdffonts) and Chromium for the browser check.
# Without root or apt-get it only reports what is missing: charts then fall back to an OFL font
# shipped on PyPI (see README), and tests needing Chromium or poppler fail with a clear message.
set -euo pipefail
want="${1:-report}"
pkgs=()
fc-list :lang=zh 2>/dev/null | grep -q . || pkgs+=(fonts-noto-cjk)
if [ "$want" = test ]; then
  command -v pdftoppm >/dev/null || pkgs+=(poppler-utils)
  command -v chromium >/dev/null || pkgs+=(chromium)
fi
[ ${#pkgs[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${pkgs[@]}" >/dev/null  # with recommends, as Chromium was proven here
else
  echo "warning: cannot install ${pkgs[*]} (needs root and apt-get); install them by hand" >&2
fi
