#!/bin/sh
# The web form's checks (docs/form.md): the library tests (tests/form.rs),
# then the inline script in headless Chromium against a stand-in for the
# server's /evaluate (a few lines of Python calling `mizan eval --format
# json`, on 127.0.0.1): a number out of bounds shows its problem beside
# its question and in the summary; a valid one shows the score, and the
# answer set posted keeps the number as typed.
# Needs: cargo, python3, Debian's chromium (/usr/bin/chromium).
set -eu
cd "$(dirname "$0")/.."
cargo test --test form
cargo build --bin mizan
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
MIZAN_FORM_DIR="$dir" cargo test --test form write_pages_for_a_look
port=18766
cat > "$dir/server.py" <<PY
import http.server, json, subprocess, sys
d, root = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = open(d + "/page.html", "rb").read()
        self.send_response(200); self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        data = self.rfile.read(int(self.headers["Content-Length"]))
        open(d + "/posted.json", "wb").write(data)
        out = subprocess.run([root + "/target/debug/mizan", "eval", root + "/examples/demo/digital-readiness.mizan",
                              d + "/posted.json", "--format", "json"], capture_output=True)
        doc = json.loads(out.stdout)
        self.send_response(422 if doc["errors"] else 200)
        self.send_header("Content-Type", "application/json"); self.end_headers()
        self.wfile.write(json.dumps(doc).encode())
http.server.HTTPServer(("127.0.0.1", $port), H).serve_forever()
PY
python3 "$dir/server.py" "$dir" "$PWD" &
pid=$!
sleep 1
check() { # VALUE: type VALUE into data.share, let the script check it
    python3 - "$dir" "$1" <<'PY'
import sys
d, v = sys.argv[1], sys.argv[2]
s = open(d + "/demo-ar.html").read()
assert 'data-evaluate=' in s
s = s.replace("</body>", "<script>setTimeout(function(){var r=document.querySelector('input[name=\"a:data.share\"]');"
              "r.value='" + v + "';r.dispatchEvent(new Event('change',{bubbles:true}));},100);</script>\n</body>")
open(d + "/page.html", "w").write(s)
PY
    timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --virtual-time-budget=5000 \
        --dump-dom "http://127.0.0.1:$port/" 2>/dev/null > "$dir/dom.html"
}
check 140
grep -q '"data.share":140' "$dir/posted.json"
grep -q 'q-data.share-problems" aria-live="polite"><li><code dir="ltr">M0408</code>' "$dir/dom.html"
grep -q 'id="summary-list"><li><a href="#q-data.share">' "$dir/dom.html"
check 50.50
grep -q '"data.share":50.50' "$dir/posted.json"
grep -q 'id="score-value">76.5%<' "$dir/dom.html"
echo "form checks: ok"
