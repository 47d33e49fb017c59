#!/bin/sh
# Install what the tests need: evkg with its test extras, Debian's Chromium, which the
# browser tests drive through Playwright (Playwright's own browser download is not used),
# Virtuoso, the SPARQL server the tests of the sparql:URL store start, and Java, which the
# OWL reasoner HermiT (through owlready2) runs on.
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
if [ ! -x /usr/bin/virtuoso-t ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null
    else
        echo "The SPARQL store tests need Virtuoso at /usr/bin/virtuoso-t: run 'sudo apt-get install virtuoso-opensource' first." >&2
        exit 1
    fi
fi
if ! command -v java >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
    else
        echo "The reasoner tests run HermiT, which needs Java: run 'sudo apt-get install default-jre-headless' first." >&2
        exit 1
    fi
fi
# rdf-validate-shacl, the JavaScript SHACL processor evkg validate is compared with (node, npm).
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "The SHACL comparison tests run rdf-validate-shacl on node: run 'sudo apt-get install nodejs npm' first." >&2
        exit 1
    fi
fi
npm ci --prefix tests/shacl-js --no-audit --no-fund --loglevel=error
# graphology with its GraphML and GEXF parsers, which the graph export tests open the files with.
npm ci --prefix tests/graphology --no-audit --no-fund --loglevel=error
python -m pip install -q -e '.[test]'
