#!/bin/sh
# Convert a .docx to PDF with LibreOffice and each page to PNG, for looking at the output.
#   tools/render_pdf.sh FILE.docx OUTDIR
# Needs: libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai (Debian).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 FILE.docx OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
src=$1
out=$2
mkdir -p "$out"
export FONTCONFIG_FILE="$here/fonts.conf"
soffice -env:UserInstallation="file://${TMPDIR:-/tmp}/lo-sanzhua" --headless --convert-to pdf --outdir "$out" "$src" >/dev/null
pdf="$out/$(basename "${src%.*}").pdf"
pdftoppm -png -r "${DPI:-80}" "$pdf" "$out/page"
pdffonts "$pdf" | sed -n '1,12p'
echo "$pdf"
ls "$out"/page*.png
