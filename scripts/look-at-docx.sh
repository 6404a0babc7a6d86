#!/usr/bin/env bash
# Look at a Word report as pages: LibreOffice headless makes a PDF, pdftoppm makes PNGs.
#
#   scripts/look-at-docx.sh REPORT.docx [OUT_DIR] [FIRST_PAGE] [LAST_PAGE]
#   scripts/look-at-docx.sh --seed [OUT_DIR] ...        render the FY2021 seed report first
#   scripts/look-at-docx.sh --synthetic [OUT_DIR] ...   the unit tests' synthetic report
#
# Writes OUT_DIR/<name>.pdf and OUT_DIR/<name>-<page>.png (default OUT_DIR: /tmp/look-at-docx,
# pages 1 to 6, 80 dpi; DPI=120 for a closer look). Needs the Debian packages libreoffice-writer
# and poppler-utils; not run in CI.
#
# Where LibreOffice differs from Word, and what this script does about it:
# - The file's character grid (22 lines × 28 characters: 3号 characters on a pitch of 15.8 pt,
#   as Word lays them out) is drawn by LibreOffice 7.4 with TWO grid cells per character
#   whenever the pitch is below the font size: 14 widely spaced characters a line. The pages
#   are therefore made from a copy whose grid is a line grid only (LibreOffice then sets 28
#   characters a line, as Word does with the character grid). RAW=1 converts the file as is.
# - Without the Windows faces, LibreOffice would draw 仿宋, 宋体, 黑体 and 楷体 all in the
#   first CJK font fontconfig lists (Noto Sans CJK JP); a private fontconfig file maps the
#   serif faces to Noto Serif CJK SC and 黑体 to Noto Sans CJK SC (no 楷体 face is installed).
# - LibreOffice does not update fields on load: the contents shows its cached entries (without
#   page numbers) and the update notice, as Word does until the reader accepts the update.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"
source="${1:?usage: $0 REPORT.docx|--seed|--synthetic [OUT_DIR] [FIRST] [LAST]}"
out="${2:-/tmp/look-at-docx}"
first="${3:-1}"
last="${4:-6}"
dpi="${DPI:-80}"
mkdir -p "$out"

case "$source" in
  --seed)
    docx="$out/seed.docx"
    "$python" - "$docx" <<'PY'
import sys, time
from pathlib import Path
from helpers.report import build_document
from helpers.render.docx import render_docx
document = build_document(2021, "高新区科技局")
for attempt in ("cold", "warm"):
    start = time.perf_counter()
    data = render_docx(document)
    print(f"render_docx ({attempt}): {(time.perf_counter() - start) * 1000:.0f} ms, "
          f"{len(data) / 1024:.0f} KiB")
Path(sys.argv[1]).write_bytes(data)
PY
    ;;
  --synthetic)
    docx="$out/synthetic.docx"
    "$python" - "$docx" "$here/tests/unit/test_render_docx.py" <<'PY'
import importlib.util, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("test_render_docx", sys.argv[2])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
Path(sys.argv[1]).write_bytes(module.rendered())
PY
    ;;
  *)
    docx="$source"
    ;;
esac

name="$(basename "${docx%.docx}")"
work="$(mktemp -d)"  # the copy, a fontconfig file and a private LibreOffice profile
trap 'rm -rf "$work"' EXIT
view="$work/$name.docx"
if [ "${RAW:-0}" = 1 ]; then
  cp "$docx" "$view"
else
  "$python" - "$docx" "$view" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, \
        zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename == "word/document.xml":
            data = data.replace(b'w:type="linesAndChars"', b'w:type="lines"')
        dst.writestr(item, data)
PY
fi

serif="Noto Serif CJK SC"
sans="Noto Sans CJK SC"
{
  echo '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
  for face in 仿宋 仿宋_GB2312 宋体 方正小标宋简体 楷体 楷体_GB2312 黑体; do
    target="$serif"
    [ "$face" = 黑体 ] && target="$sans"
    echo "<alias binding=\"same\"><family>$face</family><prefer><family>$target</family></prefer></alias>"
  done
  echo '<include ignore_missing="yes">/etc/fonts/fonts.conf</include></fontconfig>'
} >"$work/fonts.conf"

FONTCONFIG_FILE="$work/fonts.conf" libreoffice -env:UserInstallation="file://$work/profile" \
  --headless --convert-to pdf --outdir "$out" "$view" >/dev/null 2>&1
pdf="$out/$name.pdf"
[ -f "$pdf" ] || { echo "LibreOffice made no PDF (is libreoffice-writer installed?)" >&2; exit 1; }
rm -f "$out/$name"-*.png
pdftoppm -png -r "$dpi" -f "$first" -l "$last" "$pdf" "$out/$name"
echo "$pdf ($(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}') pages)"
ls "$out/$name"-*.png
