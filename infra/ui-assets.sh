#!/usr/bin/env bash
# infra/ui-assets.sh: refresh the staff web UI's GOV.UK Frontend assets from npm.
#
# The built CSS, JS and the few images the pages use are committed under
# internal/webui/assets/govuk, so `make run` needs only Go. This script is the one way they
# change: it installs govuk-frontend (current major) and sass into the cache, compiles the
# stylesheet with the system font stack (GDS Transport is licensed for GOV.UK services only,
# so its @font-face and font files are left out), copies the JS and images, and records the
# version in VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${CASEHOLD_CACHE:-$PWD/.cache}
MAJOR=${GOVUK_FRONTEND_MAJOR:-6}
work="$CACHE/npm-ui"
out=internal/webui/assets/govuk
mkdir -p "$work" "$out/images"
cd "$work"
[ -f package.json ] || echo '{"private":true}' >package.json
npm install --silent --no-audit --no-fund --save-exact "govuk-frontend@^$MAJOR" sass@^1 >/dev/null
version=$(node -p 'require("govuk-frontend/package.json").version')
cat >casehold.scss <<'SCSS'
// The system font stack instead of GDS Transport (see infra/ui-assets.sh).
@use "pkg:govuk-frontend" with (
  $govuk-font-family: (system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/assets/govuk/"
);
SCSS
# sass >= 1.71 resolves pkg: URLs through node_modules.
npx --no-install sass --pkg-importer=node --no-source-map --style=compressed --quiet-deps --silence-deprecation=import casehold.scss casehold.css
cd - >/dev/null
dist="$work/node_modules/govuk-frontend/dist/govuk"
cp "$work/casehold.css" "$out/govuk-frontend.min.css"
cp "$dist/govuk-frontend.min.js" "$out/govuk-frontend.min.js"
cp "$dist/assets/images/favicon.ico" "$dist/assets/images/favicon.svg" "$out/images/"
printf 'govuk-frontend %s (npm), compiled with the system font stack by infra/ui-assets.sh\n' "$version" >"$out/VERSION"
if grep -q "GDS Transport" "$out/govuk-frontend.min.css"; then
  echo "ui-assets: the compiled CSS still names GDS Transport" >&2
  exit 1
fi
echo "ui-assets: govuk-frontend $version -> $out ($(du -sh "$out" | cut -f1))"
