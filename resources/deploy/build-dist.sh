#!/usr/bin/env bash
# `make dist`: build both executables from build_spec.spec, add the worker's systemd unit,
# pack the worker for EC2 (tar.gz + .sha256 for the CloudFormation parameters) and print
# the sizes and the build time (docs/benchmarks.md, "Delivery").
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
version=$($PY -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
start=$(date +%s)
$PY -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller build_spec.spec
if [ -f resources/deploy/ocrjobs-worker.service ]; then
    install -m 0644 resources/deploy/ocrjobs-worker.service dist/ocrjobs-worker/
fi
archive="ocrjobs-worker-${version}-linux-$(uname -m).tar.gz"
tar -czf "dist/${archive}" -C dist ocrjobs-worker
(cd dist && sha256sum "${archive}" > "${archive}.sha256")
end=$(date +%s)
echo "build time: $((end - start)) s"
du -sh dist/ocrjobs-worker dist/ocrjobs-desktop "dist/${archive}"
echo "version: $(cat dist/ocrjobs-worker/_internal/VERSION 2>/dev/null || cat dist/ocrjobs-worker/VERSION)"
