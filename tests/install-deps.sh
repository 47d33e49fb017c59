#!/bin/sh
# Install what the tests need: evkg with its test extras, and Debian's Chromium, which
# the browser tests drive through Playwright (Playwright's own browser download is not used).
set -e
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "The browser tests need Debian's chromium at /usr/bin/chromium: run 'sudo apt-get install chromium' first." >&2
        exit 1
    fi
fi
python -m pip install -q -e '.[test]'
