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
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sanzhua-pdf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FONTCONFIG_FILE="$here/fonts.conf"
# LibreOffice reads w:overflowPunct inverted (val="0", which Word and WPS take as "no
# punctuation past the right margin", makes it hang punctuation there). Convert a copy
# with the value flipped, so the preview breaks lines as Word does.
copy="$tmp/$(basename "$src")"
python3 - "$src" "$copy" <<'EOF'
import re, sys, zipfile
flip = {"0": "1", "1": "0", "false": "1", "true": "0", "off": "1", "on": "0"}
with zipfile.ZipFile(sys.argv[1]) as zin, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename in ("word/styles.xml", "word/document.xml"):
            data = re.sub(
                rb'<w:overflowPunct w:val="(\w+)"/>',
                lambda m: b'<w:overflowPunct w:val="%s"/>' % flip.get(m[1].decode(), "1").encode(),
                data,
            )
        zout.writestr(item, data)
EOF
soffice -env:UserInstallation="file://${TMPDIR:-/tmp}/lo-sanzhua" --headless --convert-to pdf --outdir "$out" "$copy" >/dev/null
pdf="$out/$(basename "${src%.*}").pdf"
pdftoppm -png -r "${DPI:-80}" "$pdf" "$out/page"
pdffonts "$pdf" | sed -n '1,12p'
echo "$pdf"
ls "$out"/page*.png
